using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace RagService.Api.Endpoints;

/// <summary>
/// The ProblemDetails this API answers with, so every error reads the same. The type is left to the
/// framework's defaults (the RFC 9110 section of the status), which its own problems (validation, unknown
/// routes, unreadable bodies) carry too.
/// </summary>
internal static class Problems
{
    public static ProblemDetails Create(int status, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
    };

    public static NotFound<ProblemDetails> IndexNotFound(string index) =>
        TypedResults.NotFound(Create(StatusCodes.Status404NotFound, "Index not found", $"There is no index '{index}'. Create it with PUT /v1/indexes/{index}."));

    public static NotFound<ProblemDetails> DocumentNotFound(string index, string documentId) =>
        TypedResults.NotFound(Create(StatusCodes.Status404NotFound, "Document not found", $"Index '{index}' has no document '{documentId}'."));

    public static BadRequest<ProblemDetails> BadRequest(string detail) =>
        TypedResults.BadRequest(Create(StatusCodes.Status400BadRequest, "Bad request", detail));
}
