namespace RagService.Core.Security;

/// <summary>
/// A document's ACL: principals <c>user:&lt;name&gt;</c>, <c>group:&lt;name&gt;</c> or <c>tenant</c> (everyone in
/// the tenant, the default). A caller sees a document when one of its principals is in the document's ACL.
/// </summary>
public static class AclPrincipals
{
    public const int MaxNameLength = 200;

    public const int MaxEntries = 100;

    /// <summary>The ACL of a document uploaded without one.</summary>
    public static IReadOnlyList<string> Default { get; } = [AccessScope.TenantPrincipal];

    /// <summary>A user or group name: 1–200 characters, no comma (the form field's separator), no control characters.</summary>
    public static bool IsValidName(string? name) =>
        name is not null && name.Trim().Length is > 0 and <= MaxNameLength && !name.Any(c => c == ',' || char.IsControl(c));

    /// <summary>
    /// Parses entries (each may hold several, comma-separated) into a sorted, distinct ACL; an empty input is
    /// <see cref="Default"/>. False with the offending entry in <paramref name="error"/> when one is malformed.
    /// </summary>
    public static bool TryParse(IEnumerable<string> entries, out IReadOnlyList<string> acl, out string error)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        error = string.Empty;
        acl = Default;
        foreach (var entry in entries.SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (Normalize(entry) is not { } principal)
            {
                error = $"ACL entry '{entry}' is not 'user:<name>', 'group:<name>' or 'tenant'.";
                return false;
            }

            set.Add(principal);
        }

        if (set.Count > MaxEntries)
        {
            error = $"An ACL has at most {MaxEntries} entries.";
            return false;
        }

        acl = set.Count == 0 ? Default : set.ToList();
        return true;
    }

    /// <summary>Whether a caller holding <paramref name="scope"/> may see a document with <paramref name="acl"/>.</summary>
    public static bool Allows(AccessScope scope, IReadOnlyList<string> acl) =>
        scope.SeesAll || acl.Count == 0 || acl.Any(scope.Principals.Contains);

    private static string? Normalize(string entry)
    {
        if (entry == AccessScope.TenantPrincipal)
        {
            return entry;
        }

        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        var kind = entry[..colon];
        var name = entry[(colon + 1)..].Trim();
        return kind is "user" or "group" && IsValidName(name) ? kind + ":" + name : null;
    }
}
