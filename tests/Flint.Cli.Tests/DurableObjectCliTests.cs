using Flint.Cli.Tests.Support;

namespace Flint.Cli.Tests;

/// <summary>`flint do list|delete` on the data directory a real `flint dev` used, and refusing to delete under it while it runs.</summary>
public sealed class DurableObjectCliTests : CliProjectTests
{
    public DurableObjectCliTests() : base("flint-docli-")
    {
        File.WriteAllText(Path.Combine(Dir, "wrangler.toml"), """
            name = "rooms"
            main = "index.js"
            compatibility_date = "2025-11-01"
            [[durable_objects.bindings]]
            name = "ROOM"
            class_name = "Room"
            [[migrations]]
            tag = "v1"
            new_sqlite_classes = ["Room"]
            """);
        File.WriteAllText(Path.Combine(Dir, "index.js"), """
            import { DurableObject } from "cloudflare:workers";
            export class Room extends DurableObject {
              async touch(alarm) { await this.ctx.storage.put("x", 1); if (alarm) await this.ctx.storage.setAlarm(Date.now() + 3600_000); return "ok"; }
              async alarm() {}
            }
            export default {
              async fetch(request, env) {
                const url = new URL(request.url);
                return new Response(await env.ROOM.getByName(url.searchParams.get("name")).touch(url.searchParams.has("alarm")));
              }
            }
            """);
    }

    [Fact]
    public async Task ListsClassesAndObjectsAndDeletesThemOnceTheServerIsGone()
    {
        Assert.Contains("has no Durable Object classes", (await Flint("do", "list")).Out);
        using (var dev = await FlintProcess.StartDevAsync(Dir))
        {
            using var http = new HttpClient { BaseAddress = new Uri(dev.Url) };
            Assert.Equal("ok", await http.GetStringAsync("/?name=lobby&alarm"));
            Assert.Equal("ok", await http.GetStringAsync("/?name=kitchen"));
            var busy = await Flint("do", "delete", "Room", "--name", "lobby");
            Assert.Equal(1, busy.Code);
            Assert.Contains("Another Flint process (flint dev?) has class Room's objects open", busy.Err);
        }
        var classes = await Flint("do", "list");
        Assert.Matches(@"│ Room\s+│ sqlite\s+│ 2\s+│", classes.Out);
        var objects = await Flint("durable-objects", "list", "ROOM");
        Assert.Contains("lobby", objects.Out);
        Assert.Contains("kitchen", objects.Out);
        Assert.Matches(@"lobby\s+│ [0-9.]+ kB\s+│ \d{4}-\d\d-\d\dT", objects.Out); // its alarm is listed

        Assert.Equal("Deleted 1 object of class Room.\n", (await Flint("do", "delete", "Room", "--name", "lobby")).Out);
        var left = await Flint("do", "list", "Room", "--json");
        Assert.DoesNotContain("lobby", left.Out);
        Assert.Contains("\"name\":\"kitchen\"", left.Out);
        Assert.Contains("not an id of class Room", (await Flint("do", "delete", "Room", "--id", new string('a', 64))).Err);
        Assert.Equal("Deleted 1 object of class Room.\n", (await Flint("do", "delete", "Room", "--all")).Out);
        Assert.Contains("Class Room has no objects.", (await Flint("do", "list", "Room")).Out);
    }
}
