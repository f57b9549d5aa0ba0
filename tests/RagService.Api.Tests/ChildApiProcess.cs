using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RagService.Api.Tests;

/// <summary>
/// The real built API (<c>dotnet RagService.Api.dll</c>) as a child process on a loopback port over a data
/// folder, so a test can kill it with SIGKILL and start it again as an operator's supervisor would.
/// </summary>
public sealed class ChildApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _errors = new();

    private ChildApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors)
            {
                _errors.AppendLine(e.Data);
            }
        };
        _process.OutputDataReceived += (_, e) =>
        {
            lock (_errors)
            {
                _errors.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public Uri BaseAddress { get; }

    /// <summary>A client of the child service that authenticates as its admin (<see cref="RagApiHost.AdminKey"/>).</summary>
    public HttpClient CreateClient(TimeSpan timeout)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = timeout };
        http.DefaultRequestHeaders.Add("X-Api-Key", RagApiHost.AdminKey);
        return http;
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>The API assembly built beside this test project, in the same configuration.</summary>
    public static string ApiAssembly()
    {
        var here = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(here).Parent!.Name;
        for (var dir = new DirectoryInfo(here); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "RagService.Api", "bin", configuration, "net10.0", "RagService.Api.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"RagService.Api.dll ({configuration}) was not found above {here}; build src/RagService.Api first.");
    }

    public static ChildApiProcess Start(string dataDirectory, params string[] settings)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dataDirectory)!,
        };
        info.ArgumentList.Add(ApiAssembly());
        info.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        info.ArgumentList.Add($"--Rag:DataDirectory={dataDirectory}");
        info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        info.ArgumentList.Add($"--Rag:Auth:AdminKey={RagApiHost.AdminKey}");
        info.ArgumentList.Add("--Rag:Limits:RequestsPerMinute=0");
        info.ArgumentList.Add("--Logging:Console:FormatterName=simple");
        foreach (var setting in settings)
        {
            info.ArgumentList.Add(setting);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return new ChildApiProcess(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Waits until /alive answers; false when the process exited first or the time ran out.</summary>
    public async Task<bool> WaitUntilAliveAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                if ((await http.GetAsync("alive")).StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut or the OOM killer.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        await _process.WaitForExitAsync();
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
