using System.Diagnostics;

namespace RagService.Evaluation;

/// <summary>Runs a command-line tool the measurements lean on (soffice, pdftoppm, tesseract) and returns its standard output.</summary>
public static class ExternalTool
{
    /// <exception cref="InvalidOperationException">The tool could not start or exited with an error; the message carries its standard error.</exception>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        return process.ExitCode == 0
            ? await stdout.ConfigureAwait(false)
            : throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await stderr.ConfigureAwait(false)}");
    }
}
