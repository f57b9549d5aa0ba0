using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;
using RagService.Api.Endpoints;

namespace RagService.Api.Hosting;

/// <summary>
/// The ProblemDetails for a status the framework sets without a body (an unknown route, a method the route
/// does not take, a body of the wrong media type): the same shape as the endpoints' own problems, with a
/// detail that says what the request should have been.
/// </summary>
internal static class StatusCodeProblems
{
    public static async Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        var problem = Problems.Create(status, ReasonPhrases.GetReasonPhrase(status), Detail(http, status));
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }

    private static string Detail(HttpContext http, int status)
    {
        var request = http.Request;
        return status switch
        {
            StatusCodes.Status404NotFound => $"There is no endpoint at {request.Method} {request.Path}. The API lives under /v1; its description is at /openapi/v1.json.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not take {request.Method}.",
            StatusCodes.Status415UnsupportedMediaType => $"This endpoint reads {Accepted(http)}; the request's Content-Type was {(string.IsNullOrEmpty(request.ContentType) ? "not set" : $"'{request.ContentType}'")}.",
            StatusCodes.Status413PayloadTooLarge => "The request body is larger than this service accepts (Rag:MaxRequestBytes).",
            _ => $"{request.Method} {request.Path} answered {status} {ReasonPhrases.GetReasonPhrase(status)}.",
        };
    }

    private static string Accepted(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is { ContentTypes.Count: > 0 } accepts
            ? string.Join(" or ", accepts.ContentTypes)
            : "application/json";
}
