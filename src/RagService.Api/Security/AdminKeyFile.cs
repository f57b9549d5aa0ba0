namespace RagService.Api.Security;

/// <summary>
/// Where the service writes the bootstrap admin key (<c>{data}/secrets/admin.key</c>, mode 0600) and how local
/// tools on the same machine (the CLI, <c>rag eval --http</c>) find the key to call the service with.
/// </summary>
public static class AdminKeyFile
{
    public static string PathIn(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), "secrets", "admin.key");

    /// <summary>
    /// The key to call a service over <paramref name="dataDirectory"/> as its admin: the configured one
    /// (<c>Rag:Auth:AdminKey</c>, <c>RAG_ADMIN_KEY</c>), else the generated one from the file; null when neither exists
    /// or the file cannot be read (another user's service).
    /// </summary>
    public static string? Find(IConfiguration? configuration, string dataDirectory)
    {
        if ((configuration?["Rag:Auth:AdminKey"] ?? configuration?["RAG_ADMIN_KEY"] ?? Environment.GetEnvironmentVariable("RAG_ADMIN_KEY")) is { Length: > 0 } configured)
        {
            return configured.Trim();
        }

        try
        {
            var path = PathIn(dataDirectory);
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
