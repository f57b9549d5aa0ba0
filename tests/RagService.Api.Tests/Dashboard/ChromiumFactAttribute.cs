namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// A browser test: it drives Debian's chromium (scripts/install-deps.sh installs it; Playwright's own browser
/// download is never used) and is reported as skipped, saying why, where that browser is not installed.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ExecutablePath))
        {
            Skip = $"needs Debian's chromium at {ExecutablePath} (apt-get install chromium, or scripts/install-deps.sh), which is not installed here";
        }
    }
}
