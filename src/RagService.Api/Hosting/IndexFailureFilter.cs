using RagService.Api.Endpoints;
using RagService.Api.Security;
using RagService.Indexing;

namespace RagService.Api.Hosting;

/// <summary>
/// What a request on one index answers when that index fails under it, so one index's trouble is never a
/// 500 or a crash: a broken index (<see cref="IndexUnavailableException"/>) answers 503 saying what is wrong
/// and how to repair it; an index deleted while the request ran (its store disposed, its files gone) answers
/// 404, as the same request sent a moment later would.
/// </summary>
internal sealed partial class IndexFailureFilter(IndexRegistry registry, ILogger<IndexFailureFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context);
        }
        catch (IndexUnavailableException e)
        {
            var problem = Problems.Create(StatusCodes.Status503ServiceUnavailable, "Index unavailable", e.Message);
            problem.Extensions["index"] = e.Index;
            problem.Extensions["health"] = "broken";
            return TypedResults.Problem(problem);
        }
        catch (Exception e) when (e is not OperationCanceledException
            && context.HttpContext.Request.RouteValues.TryGetValue("index", out var value) && value is string index
            && !registry.Exists(index, context.HttpContext.GetCaller().Tenant))
        {
            LogDeletedDuringRequest(logger, e, index);
            return TypedResults.Problem(Problems.Create(StatusCodes.Status404NotFound, "Index not found", $"Index '{index}' was deleted while the request ran."));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A request on index {Index} ended because the index was deleted under it")]
    private static partial void LogDeletedDuringRequest(ILogger logger, Exception exception, string index);
}
