using Microsoft.AspNetCore.Http.HttpResults;
using RagService.Api.Security;
using RagService.Indexing;

namespace RagService.Api.Endpoints;

public sealed record TenantList(IReadOnlyList<string> Tenants);

/// <summary>Tenants: <c>/v1/tenants</c>, for the system admin only (tenant admins never learn of other tenants).</summary>
public static class TenantsApi
{
    public static RouteGroupBuilder MapTenantsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/tenants").WithTags("Tenants").RequireAuthorization(RagPolicies.Admin);
        group.MapGet("/", List).WithSummary("List the tenants (system admin)");
        group.MapPut("/{tenant}", Create).WithSummary("Create a tenant (system admin, idempotent)");
        return v1;
    }

    internal static Results<Ok<TenantList>, ForbidHttpResult> List(HttpContext http, ApiKeyStore keys) =>
        http.GetCaller().IsSystem ? TypedResults.Ok(new TenantList(keys.Tenants())) : TypedResults.Forbid();

    internal static Results<Created, Ok, ForbidHttpResult, ValidationProblem> Create(string tenant, HttpContext http, ApiKeyStore keys, TimeProvider time, Audit audit)
    {
        if (!http.GetCaller().IsSystem)
        {
            return TypedResults.Forbid();
        }

        if (!IndexRegistry.IsValidName(tenant))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["tenant"] = ["Use 1–64 lower-case letters, digits, '-' or '_', starting with a letter or digit."],
            });
        }

        var created = keys.AddTenant(tenant, time.GetUtcNow());
        audit.Record(http, "tenant.create", $"tenant {tenant}", created ? "created" : "exists");
        return created ? TypedResults.Created($"/v1/tenants/{tenant}") : TypedResults.Ok();
    }
}
