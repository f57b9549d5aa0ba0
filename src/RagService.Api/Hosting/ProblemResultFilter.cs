using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace RagService.Api.Hosting;

/// <summary>
/// Endpoints return their problems as typed results (<c>NotFound&lt;ProblemDetails&gt;</c>, <c>Conflict&lt;ProblemDetails&gt;</c>)
/// so OpenAPI documents them, but those write <c>application/json</c>. This writes every such problem as
/// the framework writes its own: <c>application/problem+json</c>, with the status's RFC 9110 type and the trace id.
/// </summary>
internal sealed class ProblemResultFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var result = await next(context);
        var inner = result is INestedHttpResult nested ? nested.Result : result;
        return inner is IValueHttpResult { Value: ProblemDetails { Status: not null } problem } and not (ProblemHttpResult or ValidationProblem)
            ? TypedResults.Problem(problem)
            : result;
    }
}
