using System.Diagnostics;
using System.Globalization;

namespace RagService.Indexing.Storage;

/// <summary>
/// The one-writer-per-data-folder rule, held by the OS: an exclusive lock on <c>{data}/.lock</c> (an
/// <c>flock</c> on Unix, a share-none handle on Windows) for as long as this object lives. The OS drops it
/// when the process dies, <c>kill -9</c> included, so a crash never leaves the folder locked. Who holds
/// it is written beside it (<c>.lock.owner</c>) so the refusal can say which process and where it serves.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    public const string LockFileName = ".lock";
    public const string OwnerFileName = ".lock.owner";

    private readonly FileStream _handle;
    private readonly string _ownerFile;

    private DataFolderLock(FileStream handle, string ownerFile)
    {
        _handle = handle;
        _ownerFile = ownerFile;
    }

    /// <summary>How long a refused lock is retried: a holder that is shutting down (a restart in the same process) lets go within it; a running one does not.</summary>
    public static readonly TimeSpan HandOver = TimeSpan.FromSeconds(2);

    /// <summary>Takes the folder's lock, or throws <see cref="DataFolderLockedException"/> naming its holder once <see cref="HandOver"/> has passed.</summary>
    public static DataFolderLock Acquire(string dataDirectory)
    {
        var folder = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(folder);
        var ownerFile = Path.Combine(folder, OwnerFileName);
        var deadline = DateTime.UtcNow + HandOver;
        while (true)
        {
            try
            {
                var handle = new FileStream(Path.Combine(folder, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                var held = new DataFolderLock(handle, ownerFile);
                held.Describe(null);
                return held;
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new DataFolderLockedException(folder, ReadOwner(ownerFile), e);
                }

                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Records who holds the lock (this process, its command line and, once known, where it serves HTTP).</summary>
    public void Describe(string? serving)
    {
        var owner = string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId} ({Process.GetCurrentProcess().ProcessName}, since {DateTimeOffset.UtcNow:u})");
        var lines = serving is null ? [owner] : new[] { owner, serving };
        File.WriteAllLines(_ownerFile, lines);
    }

    private static string[] ReadOwner(string ownerFile)
    {
        try
        {
            return File.Exists(ownerFile) ? File.ReadAllLines(ownerFile) : [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_ownerFile);
        }
        catch (IOException)
        {
            // A stale owner file is harmless: it is only read when the lock is refused, and rewritten by the next holder.
        }

        _handle.Dispose();
    }
}

/// <summary>Another process (a running service, another CLI command) writes this data folder; nothing was changed.</summary>
public sealed class DataFolderLockedException : IOException
{
    public DataFolderLockedException(string folder, IReadOnlyList<string> owner, Exception inner)
        : base(MessageFor(folder, owner), inner)
    {
        Folder = folder;
        ServingUrl = owner.Count > 1 ? owner[1] : null;
    }

    public string Folder { get; }

    /// <summary>Where the holder serves HTTP, when it is a service that said so; the CLI's --url to use instead.</summary>
    public string? ServingUrl { get; }

    private static string MessageFor(string folder, IReadOnlyList<string> owner)
    {
        var holder = owner.Count > 0 ? $"another process ({owner[0]})" : "another process";
        var serving = owner.Count > 1 ? $" serving {owner[1]}" : string.Empty;
        return $"The data folder '{folder}' is in use by {holder}{serving}; one process writes a data folder at a time, and nothing was changed.";
    }
}
