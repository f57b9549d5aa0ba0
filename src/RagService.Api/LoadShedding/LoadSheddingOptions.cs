namespace RagService.Api.LoadShedding;

/// <summary>
/// The "LoadShedding" section: how many searches and asks run at once and how many may wait for a slot.
/// Past both, a request is answered 503 with Retry-After at once instead of queueing without end, so the
/// service's latency stays bounded while ingestion or a burst competes for the cores.
/// </summary>
public sealed class LoadSheddingOptions
{
    public const string Section = "LoadShedding";

    /// <summary>Searches executed at once.</summary>
    public int SearchConcurrency { get; set; } = 16;

    /// <summary>Searches waiting for a slot (oldest first); 0 sheds as soon as every slot is taken.</summary>
    public int SearchQueue { get; set; } = 64;

    /// <summary>Asks (search and answer) executed at once: they hold an LLM call, so fewer.</summary>
    public int AskConcurrency { get; set; } = 4;

    public int AskQueue { get; set; } = 16;

    /// <summary>The Retry-After sent with a shed request.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}
