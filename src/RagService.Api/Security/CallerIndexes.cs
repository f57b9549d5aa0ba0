using RagService.Indexing;

namespace RagService.Api.Security;

/// <summary>Opens indexes as the caller sees them: only in its own tenant, so another tenant's index is simply not found.</summary>
public static class CallerIndexes
{
    public static IndexStore? OpenFor(this IndexRegistry registry, HttpContext http, string index) =>
        registry.Open(index, http.GetCaller().Tenant);
}
