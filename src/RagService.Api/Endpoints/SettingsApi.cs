using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Conversations;
using RagService.Api.Hosting;
using RagService.Api.LoadShedding;
using RagService.Api.Security;
using RagService.Api.Telemetry;
using RagService.Core.Options;
using RagService.Generation.Citations;
using RagService.Generation.Extractive;
using RagService.Generation.Llm;
using RagService.Indexing.Lexical.Lucene;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Retrieval;
using RagService.Retrieval.Context;

namespace RagService.Api.Endpoints;

/// <summary>
/// <c>GET /v1/settings</c> (admins): the effective configuration, as the service bound it (defaults included), for
/// the dashboard's settings page. Secrets are masked before anything leaves the process: a text value under a name
/// ending in Key(s), Secret(s), Password(s) or Token(s) (numbers and switches there are counts and flags), every connection string, and any value that holds a
/// <c>password=</c> pair reads <see cref="Masked"/> when it is set (null when it is not).
/// </summary>
public static partial class SettingsApi
{
    public const string Masked = "********";

    /// <summary>Every options section the service binds, under the configuration section it is bound from.</summary>
    internal static readonly (string Section, Type Options)[] Sections =
    [
        (RagOptions.Section, typeof(RagOptions)),
        ("Lexical", typeof(LuceneLexicalIndexOptions)),
        ("Retrieval", typeof(RetrievalOptions)),
        (AnswerContextOptions.Section, typeof(AnswerContextOptions)),
        (LlmOptions.Section, typeof(LlmOptions)),
        (ConversationOptions.Section, typeof(ConversationOptions)),
        ("Chunking", typeof(ChunkingOptions)),
        ("Deduplication", typeof(DeduplicationOptions)),
        ("Ocr", typeof(OcrOptions)),
        ("ExtractiveAnswer", typeof(ExtractiveAnswerOptions)),
        ("CitationVerifier", typeof(CitationVerifierOptions)),
        (TelemetryOptions.Section, typeof(TelemetryOptions)),
        (LoadSheddingOptions.Section, typeof(LoadSheddingOptions)),
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static RouteGroupBuilder MapSettingsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/settings", Get).WithTags("Settings").RequireAuthorization(RagPolicies.Admin)
            .WithSummary("The effective configuration, defaults included, with every secret masked (the system admin)");
        return v1;
    }

    /// <summary>
    /// The configuration is the process's, shared by every tenant (data folder, LLM endpoint, identity provider): only
    /// the system admin reads it, as with the evaluation runs. A tenant's admin gets 403 and edits its indexes' stage
    /// defaults through <c>PUT /v1/indexes/{index}/stages</c>.
    /// </summary>
    internal static Results<Ok<SettingsDto>, ForbidHttpResult> Get(HttpContext http, IServiceProvider services, IConfiguration configuration) =>
        http.GetCaller().IsSystem ? TypedResults.Ok(Read(services, configuration)) : TypedResults.Forbid();

    private static SettingsDto Read(IServiceProvider services, IConfiguration configuration)
    {
        var values = new List<SettingDto>();
        foreach (var (section, type) in Sections)
        {
            var contract = typeof(IOptions<>).MakeGenericType(type);
            var value = contract.GetProperty(nameof(IOptions<object>.Value))!.GetValue(services.GetRequiredService(contract));
            Flatten(section, JsonSerializer.SerializeToNode(value, type, Json), secret: false, values);
        }

        foreach (var entry in configuration.GetSection("ConnectionStrings").AsEnumerable(makePathsRelative: false).Where(e => e.Value is not null))
        {
            values.Add(new SettingDto(entry.Key, Masked, Secret: true));
        }

        return new SettingsDto(values);
    }

    /// <summary>Writes each leaf as a configuration path (Section:Name:0), masking it under a secret name.</summary>
    private static void Flatten(string path, JsonNode? node, bool secret, List<SettingDto> into)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Flatten($"{path}:{name}", child, secret || IsSecretName(name), into);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Flatten($"{path}:{i}", array[i], secret, into);
                }

                break;
            case null:
                into.Add(new SettingDto(path, null, secret));
                break;
            default:
                // A number or a switch under a secret-sounding name (Chunking:MaxTokens, Rag:Auth:AcceptsApiKeys) is a
                // count or a flag of a typed option, not a secret: only text is masked under a secret name.
                var isText = node.GetValueKind() == JsonValueKind.String;
                var text = isText ? node.GetValue<string>() : node.ToJsonString();
                var masked = (secret && isText) || PasswordPair().IsMatch(text);
                into.Add(new SettingDto(path, masked && text.Length > 0 ? Masked : text, masked));
                break;
        }
    }

    private static bool IsSecretName(string name) => SecretName().IsMatch(name);

    [GeneratedRegex("(key|keys|secret|secrets|password|passwords|token|tokens|connectionstring|connectionstrings)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(password|pwd)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordPair();
}
