using System.Net;
using System.Net.Sockets;

namespace RagService.TestSupport;

/// <summary>
/// A real HTTP server on 127.0.0.1 and a free port for tests that need a remote party (an
/// OpenAI-compatible LLM, a model hub): each request is passed to <c>handle</c>, on its own task, and its
/// response is closed afterwards.
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Func<HttpListenerContext, Task> handle;
    private readonly Task loop;

    public LoopbackHttpServer(Func<HttpListenerContext, Task> handle)
    {
        this.handle = handle;
        var port = FreePort();
        BaseAddress = $"http://127.0.0.1:{port}";
        listener.Prefixes.Add(BaseAddress + "/");
        listener.Start();
        loop = Task.Run(Serve);
    }

    /// <summary>Where the server listens, without a trailing '/'.</summary>
    public string BaseAddress { get; }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using var response = context.Response;
                await handle(context);
            });
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
