using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using RagService.Api.Endpoints;

namespace RagService.Api.Hosting;

/// <summary>
/// A body that cannot be read (malformed JSON, a value of the wrong type, wrong content type) is the
/// client's mistake: answer with its 4xx ProblemDetails, in every environment, instead of a 500 or a bare
/// 400. For JSON it says what is wrong and where: the JSON path (<c>$.topK</c>), line and byte position, and
/// the type that was expected. Needs <c>RouteHandlerOptions.ThrowOnBadRequest</c> (set by the service defaults),
/// or minimal APIs answer a bare 400 themselves.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var problem = FindJsonError(bad) is { } json
            ? JsonProblem(bad.StatusCode, json)
            : Problems.Create(bad.StatusCode, ReasonPhrases.GetReasonPhrase(bad.StatusCode), bad.InnerException is { } inner ? $"{bad.Message} {inner.Message}" : bad.Message);
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = problem,
        });
    }

    private static JsonException? FindJsonError(Exception exception)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    private static Microsoft.AspNetCore.Mvc.ProblemDetails JsonProblem(int status, JsonException json)
    {
        // System.Text.Json counts lines and bytes from 0; editors count from 1.
        var line = json.LineNumber + 1;
        var position = json.BytePositionInLine + 1;
        var path = json.Path ?? "$";
        var where = $"at {path} (line {line}, position {position})";
        var expected = ConversionTarget().Match(json.Message) is { Success: true } match ? Describe(match.Groups["type"].Value) : null;
        var problem = expected is not null
            ? Problems.Create(status, "Invalid JSON value", $"The value {where} is not {expected}.")
            : Problems.Create(status, "Malformed JSON", $"The request body is not valid JSON {where}: {ReaderReason(json)}");
        problem.Extensions["path"] = path;
        problem.Extensions["line"] = line;
        problem.Extensions["position"] = position;
        if (expected is not null)
        {
            problem.Extensions["expected"] = expected;
        }

        return problem;
    }

    /// <summary>The reader's own words, without the location it appends (reported separately).</summary>
    private static string ReaderReason(JsonException json)
    {
        var message = (json.InnerException as JsonException ?? json).Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal) is var p and >= 0 ? p : message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).Trim();
    }

    /// <summary>A .NET type as a client writing JSON thinks of it.</summary>
    private static string Describe(string clrType)
    {
        var type = NullableWrapper().Match(clrType) is { Success: true } inner ? inner.Groups["type"].Value : clrType;
        return type switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" or "System.UInt32" or "System.UInt64" => $"an integer ({type})",
            "System.Double" or "System.Single" or "System.Decimal" => $"a number ({type})",
            "System.Boolean" => "true or false (System.Boolean)",
            "System.String" => "a string (System.String)",
            "System.DateTimeOffset" or "System.DateTime" => $"an ISO 8601 date or date-time string ({type})",
            _ when type.Contains("List", StringComparison.Ordinal) || type.EndsWith("[]", StringComparison.Ordinal) => $"an array ({type})",
            _ when type.Contains("Dictionary", StringComparison.Ordinal) => $"an object ({type})",
            _ => $"a valid {type}",
        };
    }

    [GeneratedRegex(@"could not be converted to (?<type>\S+?)\.? Path:")]
    private static partial Regex ConversionTarget();

    [GeneratedRegex(@"^System\.Nullable`1\[(?<type>.+)\]$")]
    private static partial Regex NullableWrapper();
}
