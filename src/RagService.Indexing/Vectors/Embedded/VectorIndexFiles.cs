using System.Text;
using System.Text.Json;

namespace RagService.Indexing.Vectors.Embedded;

/// <summary>What the manifest names: the committed generation, its dimensions and vector count.</summary>
internal sealed record VectorIndexManifest(long Generation, int Dimensions, int Count);

/// <summary>
/// The files of one embedded vector index: each commit writes a generation (<c>vectors.N.usearch</c> and the key map
/// <c>keys.N.bin</c>), flushes both, then atomically replaces <c>manifest.json</c>, which names the generation in force.
/// A crash at any point leaves the previous manifest, and so the previous commit, in force.
/// </summary>
internal sealed class VectorIndexFiles(string folder)
{
    private const string ManifestFileName = "manifest.json";
    private const string IndexFilePrefix = "vectors.";
    private const string KeysFilePrefix = "keys.";

    public bool HasManifest => File.Exists(Path.Combine(folder, ManifestFileName));

    public string IndexFile(long generation) => Path.Combine(folder, $"{IndexFilePrefix}{generation}.usearch");

    public string KeysFile(long generation) => Path.Combine(folder, $"{KeysFilePrefix}{generation}.bin");

    public VectorIndexManifest? ReadManifest()
    {
        var file = Path.Combine(folder, ManifestFileName);
        return File.Exists(file) ? JsonSerializer.Deserialize<VectorIndexManifest>(File.ReadAllBytes(file)) : null;
    }

    public void WriteManifest(VectorIndexManifest manifest) =>
        WriteAtomically(Path.Combine(folder, ManifestFileName), JsonSerializer.SerializeToUtf8Bytes(manifest));

    public void ReadKeys(string file, Dictionary<ulong, string> chunkIds)
    {
        using var reader = new BinaryReader(File.OpenRead(file), Encoding.UTF8);
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadUInt64();
            chunkIds[key] = reader.ReadString();
        }
    }

    public void WriteKeys(string file, IReadOnlyDictionary<ulong, string> chunkIds)
    {
        using var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(chunkIds.Count);
            foreach (var (key, chunkId) in chunkIds)
            {
                writer.Write(key);
                writer.Write(chunkId);
            }
        }

        stream.Flush(flushToDisk: true);
    }

    public static void FlushToDisk(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Deletes other generations and temp files: leftovers of earlier commits or of a crash mid-commit.</summary>
    public void RemoveStrayFiles(long generation)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal)
        {
            ManifestFileName,
            Path.GetFileName(IndexFile(generation)),
            Path.GetFileName(KeysFile(generation)),
        };
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            var name = Path.GetFileName(file);
            if (!keep.Contains(name) && (name.StartsWith(IndexFilePrefix, StringComparison.Ordinal) || name.StartsWith(KeysFilePrefix, StringComparison.Ordinal) || name.EndsWith(".tmp", StringComparison.Ordinal)))
            {
                File.Delete(file);
            }
        }
    }

    private static void WriteAtomically(string file, byte[] content)
    {
        var temp = file + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, file, overwrite: true);
    }
}
