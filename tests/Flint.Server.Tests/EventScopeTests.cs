using System.Net.WebSockets;
using System.Text;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>
/// What a Worker may do before its first event, and how long what an event started lives: the
/// answers of bench/oracle/event-scope as wrangler dev gave them, and a WebSocket's sender.
/// </summary>
public class EventScopeTests
{
    [Fact]
    public async Task GlobalScopeRefusalsAndTimerLifetimesAreWorkerds() =>
        await OracleGolden.AssertSameAsWranglerDevAsync("event-scope", isolates: 1); // its requests count in module state

    private const string TickingSocket = """
        export default {
          async fetch(request) {
            const [client, server] = Object.values(new WebSocketPair());
            server.accept();
            let n = 0;
            const timer = setInterval(() => {
              server.send("tick" + (++n));
              if (n === 5) { clearInterval(timer); server.close(1000, "done"); }
            }, 30);
            return new Response(null, { status: 101, webSocket: client });
          },
        };
        """;

    [Fact]
    public async Task TheTimersOfARequestThatAnsweredWithAWebSocketKeepRunning()
    {
        // The request is answered at once, but its socket lives on and so do the timers that feed it (as on workerd).
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = TickingSocket });
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(w.Url.ToString().Replace("http://", "ws://") + "ws"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        var got = new List<string>();
        var buffer = new byte[1024];
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
            if (r.MessageType == WebSocketMessageType.Close) break;
            got.Add(Encoding.UTF8.GetString(buffer, 0, r.Count));
        }
        Assert.Equal(["tick1", "tick2", "tick3", "tick4", "tick5"], got);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
        Assert.Equal("done", ws.CloseStatusDescription);
    }
}
