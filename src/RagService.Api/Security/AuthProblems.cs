using Microsoft.AspNetCore.Mvc;

namespace RagService.Api.Security;

/// <summary>The 401 and 403 answers: ProblemDetails bodies like every other error, and the challenge header on 401.</summary>
internal static class AuthProblems
{
    public const string Challenge = "Bearer realm=\"ragservice\", ApiKey header=\"X-Api-Key\"";

    public static Task UnauthorizedAsync(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = Challenge;
        return WriteAsync(http, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    public static Task ForbiddenAsync(HttpContext http) => WriteAsync(
        http,
        StatusCodes.Status403Forbidden,
        "Forbidden",
        $"The caller's role ({http.GetCaller().Role}) may not {http.Request.Method} {http.Request.Path}.");

    public static async Task WriteAsync(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
