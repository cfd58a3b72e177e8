using System.Buffers;
using System.Text;
using System.Text.Json;
using Flint.Engine.DurableObjects;
using Flint.JavaScript.Isolates;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Bindings.DurableObjects;

/// <summary>
/// The host side of a Durable Object's storage and hibernation calls (88_durable_objects.js):
/// synchronous ops on the isolate's thread, keyed by the actor's id in this isolate. Values cross
/// as structured clone bytes through the transfer buffer; lists and SQL rows as JSON with their
/// bytes beside it. No op throws into script: a failure returns null (or -1) and script reads the
/// error with doLastError.
/// </summary>
internal static class ActorOps
{
    public static void Register(HostOpTable ops, ActorHost host)
    {
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));
        var isolate = host.Isolate;

        byte[] Bytes(in V8FastArgs a, int index) =>
            a.TryGet(index, out int length) ? isolate.TakeTransfer(length) : ScriptHandles.CopyBytes(a.Get<object?>(index, "bytes")) ?? [];

        // Runs a storage call for actor `key`; false (the error kept for doLastError) when it failed.
        bool Try(int key, Action<Actor> call)
        {
            if (host.Find(key) is not { } actor)
            {
                host.SetError(new DurableObjectException("This Durable Object was reset; its storage can no longer be used."));
                return false;
            }
            try
            {
                call(actor);
                return true;
            }
            catch (Exception ex) when (ex is DurableObjectStorageException or DurableObjectException or ArgumentException or IOException or InvalidOperationException)
            {
                host.SetError(ex);
                return false;
            }
        }

        Add("doLastError", (bool _, in V8FastArgs a, in V8FastResult r) => r.Set(host.LastError));
        Add("doTakeBig", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var target = a.Get<Microsoft.ClearScript.JavaScript.ITypedArray<byte>>(0, "target");
            using var lease = ScriptHandles.Own(target);
            if (host.TakeBig() is { } big && (int)target.Length == big.Length) target.WriteBytes(big, 0, (ulong)big.Length, 0);
        });

        // ---- key-value ------------------------------------------------------------------------

        // A value: its length in the transfer buffer, -(length + 2) when it must be taken with doTakeBig, -1 when absent; null on error.
        Add("doGet", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var key = a.GetString(1, "key");
            byte[]? value = null;
            if (!Try(a.GetInt32(0, "actor"), actor => value = actor.Storage.Get(key))) { r.SetNull(); return; }
            if (value is null) { r.Set(-1); return; }
            var n = host.PutBytes(value);
            r.Set(n <= JsIsolate.TransferSize ? n : -(n + 2));
        });

        // Entries as JSON [[key, length], …]; their values follow one another in the transfer buffer (or doTakeBig).
        Add("doGetMany", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var keys = JsonSerializer.Deserialize<List<string>>(a.GetString(1, "keys")) ?? [];
            List<KeyValuePair<string, byte[]>>? entries = null;
            if (!Try(a.GetInt32(0, "actor"), actor => entries = actor.Storage.Get(keys))) { r.SetNull(); return; }
            r.Set(Entries(host, entries!));
        });

        Add("doList", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            using var o = JsonDocument.Parse(a.GetString(1, "options"));
            var root = o.RootElement;
            string? S(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var options = new DurableObjectListOptions(S("start"), S("startAfter"), S("end"), S("prefix"),
                root.TryGetProperty("reverse", out var rev) && rev.ValueKind == JsonValueKind.True,
                root.TryGetProperty("limit", out var lim) && lim.ValueKind == JsonValueKind.Number ? lim.GetInt32() : 0);
            List<KeyValuePair<string, byte[]>>? entries = null;
            if (!Try(a.GetInt32(0, "actor"), actor => entries = actor.Storage.List(options))) { r.SetNull(); return; }
            r.Set(Entries(host, entries!));
        });

        Add("doPut", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var key = a.GetString(1, "key");
            var value = Bytes(a, 2);
            var confirmed = a.IsTruthy(3);
            r.Set(Try(a.GetInt32(0, "actor"), actor =>
            {
                actor.Storage.Put(key, value);
                host.Wrote(actor, confirmed);
            }));
        });

        // keys as JSON [[key, length], …], their values one after another.
        Add("doPutMany", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var layout = JsonSerializer.Deserialize<List<JsonElement>>(a.GetString(1, "keys")) ?? [];
            var values = Bytes(a, 2);
            var confirmed = a.IsTruthy(3);
            var entries = new List<KeyValuePair<string, byte[]>>(layout.Count);
            var offset = 0;
            foreach (var e in layout)
            {
                var length = e[1].GetInt32();
                entries.Add(new(e[0].GetString()!, values.AsSpan(offset, length).ToArray()));
                offset += length;
            }
            r.Set(Try(a.GetInt32(0, "actor"), actor =>
            {
                actor.Storage.Put(entries);
                host.Wrote(actor, confirmed);
            }));
        });

        Add("doDelete", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var key = a.GetString(1, "key");
            var confirmed = a.IsTruthy(2);
            var existed = false;
            if (!Try(a.GetInt32(0, "actor"), actor => { existed = actor.Storage.Delete(key); host.Wrote(actor, confirmed); })) r.Set(-1);
            else r.Set(existed ? 1 : 0);
        });

        Add("doDeleteMany", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var keys = JsonSerializer.Deserialize<List<string>>(a.GetString(1, "keys")) ?? [];
            var confirmed = a.IsTruthy(2);
            var count = 0;
            if (!Try(a.GetInt32(0, "actor"), actor => { count = actor.Storage.Delete(keys); host.Wrote(actor, confirmed); })) r.Set(-1);
            else r.Set(count);
        });

        Add("doDeleteAll", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var alarmToo = a.IsTruthy(1);
            r.Set(Try(a.GetInt32(0, "actor"), actor =>
            {
                var hadAlarm = actor.Storage.GetAlarm() is not null;
                actor.Storage.DeleteAll(alarmToo);
                if (alarmToo && hadAlarm) actor.AlarmChanging(null);
                host.Wrote(actor, confirmed: true);
            }));
        });

        // ---- alarm ------------------------------------------------------------------------------

        Add("doGetAlarm", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            long? alarm = null;
            if (!Try(a.GetInt32(0, "actor"), actor => alarm = actor.Storage.GetAlarm())) r.SetNull();
            else r.Set(alarm is { } ms ? ms : -1d);
        });

        // time < 0 deletes the alarm.
        Add("doSetAlarm", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var time = a.GetDouble(1, "time");
            var confirmed = a.IsTruthy(2);
            long? alarm = time < 0 ? null : (long)Math.Floor(time);
            r.Set(Try(a.GetInt32(0, "actor"), actor =>
            {
                if (actor.Storage.GetAlarm() == alarm && !actor.Storage.HasUncommittedWrites) return;
                actor.Storage.SetAlarm(alarm);
                actor.AlarmChanging(alarm);
                host.Wrote(actor, confirmed);
            }));
        });

        // ---- SQL --------------------------------------------------------------------------------

        // Rows as JSON {c: columns, r: rows, rr: rowsRead, rw: rowsWritten, n: blob bytes}; a blob is {b: length}, its bytes in order in the transfer buffer.
        Add("doSqlExec", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var sql = a.GetString(1, "sql");
            var argsJson = a.GetString(2, "bindings");
            var blobs = argsJson.Contains("{\"b\"", StringComparison.Ordinal) ? Bytes(a, 3) : [];
            SqlResult? result = null;
            var wrote = false;
            if (!Try(a.GetInt32(0, "actor"), actor =>
            {
                var pending = actor.Storage.HasUncommittedWrites;
                result = actor.Storage.Exec(sql, Bindings(argsJson, blobs));
                wrote = actor.Storage.HasUncommittedWrites && (!pending || result.RowsWritten > 0);
                if (actor.Storage.HasUncommittedWrites) host.Wrote(actor, confirmed: true);
            })) { r.SetNull(); return; }
            r.Set(SqlJson(host, result!));
        });

        Add("doDatabaseSize", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            long size = 0;
            if (!Try(a.GetInt32(0, "actor"), actor => size = actor.Storage.DatabaseSize)) r.SetNull();
            else r.Set((double)size);
        });

        Add("doTxBegin", (bool _, in V8FastArgs a, in V8FastResult r) =>
            r.Set(Try(a.GetInt32(0, "actor"), actor => { actor.Storage.BeginTransaction(); host.Wrote(actor, confirmed: false); })));

        Add("doTxEnd", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var commit = a.IsTruthy(1);
            r.Set(Try(a.GetInt32(0, "actor"), actor => actor.Storage.EndTransaction(commit)));
        });

        // Resolves promise `promise` once every write made so far is durable (storage.sync()).
        Add("doSync", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var promise = a.GetInt32(1, "promise");
            var context = isolate.Current;
            if (host.Find(a.GetInt32(0, "actor")) is not { } actor)
            {
                isolate.Reject(context, promise, "This Durable Object was reset; its storage can no longer be used.", "Error");
                return;
            }
            // Writes of this turn commit when it ends; wait for that commit, or the last one.
            actor.Gate.Send(() => isolate.Resolve(context, promise, null), e => isolate.Reject(context, promise, e.Message, "Error"));
        });

        // ---- actor lifecycle ----------------------------------------------------------------------

        // The object reset itself (blockConcurrencyWhile threw or timed out, abort()).
        Add("actorReset", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (host.Find(a.GetInt32(0, "actor")) is not { } actor) return;
            var name = a.GetString(1, "name");
            actor.ResetBy(new DurableObjectException(a.GetString(2, "message"), name) { Reset = true, Overloaded = a.IsTruthy(3) });
        });

        // The object's fetch handler threw: the stub's caller gets the error, after the writes before it are durable.
        Add("actorFetchError", (bool _, in V8FastArgs a, in V8FastResult r) =>
            host.FetchError(a.GetInt32(0, "event"), a.GetString(1, "name"), a.GetString(2, "message"), a.GetString(3, "flags"), a.GetString(4, "stack")));

        Add("actorAlarmResult", (bool _, in V8FastArgs a, in V8FastResult r) =>
            host.AlarmResult(a.GetInt32(0, "event"), a.IsTruthy(1), a.GetString(2, "error")));

        // ---- hibernatable WebSockets ----------------------------------------------------------------

        // acceptWebSocket(): host connection `socket` now belongs to the object, with tags as JSON.
        Add("doWsAccept", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var hostId = a.GetInt32(1, "socket");
            var tags = JsonSerializer.Deserialize<string[]>(a.GetString(2, "tags")) ?? [];
            if (host.Find(a.GetInt32(0, "actor")) is not { } actor || host.Worker.WebSockets.Get(hostId) is not { } socket) return;
            actor.Spec.Sockets.Add(socket, hostId, tags);
            actor.Unpin(socket);
        });

        // The object's hibernatable sockets (with `tag`, or all when null) as JSON [[id, [tags…]], …].
        Add("doWsList", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (host.Find(a.GetInt32(0, "actor")) is not { } actor) { r.Set("[]"); return; }
            var tag = a.IsNull(1) || a.IsUndefined(1) ? null : a.GetString(1, "tag");
            r.Set(JsonSerializer.Serialize(actor.Spec.Sockets.Tagged(tag).Select(s => new object[] { s.HostId, s.Tags })));
        });

        Add("doWsSetAttachment", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var bytes = a.IsNull(2) ? null : Bytes(a, 2);
            if (host.Find(a.GetInt32(0, "actor"))?.Spec.Sockets.Find(a.GetInt32(1, "socket")) is { } s) s.Attachment = bytes;
        });

        Add("doWsGetAttachment", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (host.Find(a.GetInt32(0, "actor"))?.Spec.Sockets.Find(a.GetInt32(1, "socket")) is not { Attachment: { } bytes }) { r.Set(-1); return; }
            var n = host.PutBytes(bytes);
            r.Set(n <= JsIsolate.TransferSize ? n : -(n + 2));
        });

        Add("doWsAutoResponse", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (host.Find(a.GetInt32(0, "actor")) is not { } actor) return;
            actor.Spec.Sockets.AutoResponse = a.IsNull(1) ? null : (a.GetString(1, "request"), a.GetString(2, "response"));
        });

        Add("doWsAutoResponseTime", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var s = host.Find(a.GetInt32(0, "actor"))?.Spec.Sockets.Find(a.GetInt32(1, "socket"));
            r.Set(s is { AutoResponseAt: > 0 } ? (double)s.AutoResponseAt : -1d);
        });
    }

    private static string Entries(ActorHost host, List<KeyValuePair<string, byte[]>> entries)
    {
        var total = 0;
        foreach (var e in entries) total += e.Value.Length;
        var all = new byte[total];
        var offset = 0;
        var json = new StringBuilder("[");
        foreach (var (key, value) in entries)
        {
            value.CopyTo(all, offset);
            offset += value.Length;
            if (json.Length > 1) json.Append(',');
            json.Append('[').Append(JsonSerializer.Serialize(key)).Append(',').Append(value.Length).Append(']');
        }
        host.PutBytes(all);
        return json.Append(']').ToString();
    }

    /// <summary>sql.exec() bindings: JSON of null, numbers (bound as doubles, as workerd binds them), strings and {b: length} for bytes.</summary>
    private static List<object?> Bindings(string json, byte[] blobs)
    {
        if (json.Length == 0 || json == "[]") return [];
        using var doc = JsonDocument.Parse(json);
        var list = new List<object?>();
        var offset = 0;
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Null: list.Add(null); break;
                case JsonValueKind.Number: list.Add(e.GetDouble()); break;
                case JsonValueKind.String: list.Add(e.GetString()); break;
                case JsonValueKind.Object when e.TryGetProperty("b", out var b):
                    var n = b.GetInt32();
                    list.Add(blobs.AsSpan(offset, n).ToArray());
                    offset += n;
                    break;
                case JsonValueKind.Object when e.TryGetProperty("d", out var d):
                    list.Add(d.GetString() switch { "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => double.NaN });
                    break;
                default: throw new ArgumentException("Unsupported binding.");
            }
        }
        return list;
    }

    private static string SqlJson(ActorHost host, SqlResult result)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var blobs = new List<byte[]>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("c");
            foreach (var c in result.Columns) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteStartArray("r");
            foreach (var row in result.Rows)
            {
                w.WriteStartArray();
                foreach (var v in row)
                {
                    switch (v)
                    {
                        case null: w.WriteNullValue(); break;
                        case long l: w.WriteNumberValue(l); break;
                        case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
                        case double d:
                            w.WriteStartObject(); w.WriteString("d", double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity"); w.WriteEndObject();
                            break;
                        case string s: w.WriteStringValue(s); break;
                        case byte[] b:
                            w.WriteStartObject(); w.WriteNumber("b", b.Length); w.WriteEndObject();
                            blobs.Add(b);
                            break;
                    }
                }
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteNumber("rr", result.RowsRead);
            w.WriteNumber("rw", result.RowsWritten);
            var total = blobs.Sum(b => b.Length);
            w.WriteNumber("n", total);
            w.WriteEndObject();
            if (total > 0)
            {
                var all = new byte[total];
                var offset = 0;
                foreach (var b in blobs) { b.CopyTo(all, offset); offset += b.Length; }
                host.PutBytes(all);
            }
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
