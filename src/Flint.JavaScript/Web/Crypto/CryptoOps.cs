using System.Collections.Concurrent;
using System.Security.Cryptography;
using Flint.JavaScript.Isolates;
using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Web.Crypto;

/// <summary>
/// The host side of <c>crypto.subtle</c> and <c>crypto.DigestStream</c>. 70_crypto.js does all
/// Web IDL work (dictionaries, usages, JWK, CryptoKey objects) and calls these ops with numbers.
/// Byte arguments travel through a scratch buffer the script registers once: a byte argument is
/// an int <c>offset &lt;&lt; 16 | length</c> into it, so a call passes no objects (ClearScript
/// spends microseconds on each object argument). Inputs too large for the scratch buffer come as
/// Uint8Arrays instead, read in place. Secret keys travel as bytes; asymmetric keys, HMAC
/// contexts and running digests stay here, in a per-isolate table, and script holds only their
/// integer handles. No op throws into script: a failing op returns -1 and
/// <c>cryptoLastError()</c> gives "name\nmessage" for the JavaScript to throw.
/// </summary>
internal static class CryptoOps
{
    public static void Register(HostOpTable ops, JsIsolate isolate)
    {
        var state = new State();
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));

        Add("cryptoScratch", (bool _, in V8FastArgs a, in V8FastResult r) => state.SetScratch(a.Get<ITypedArray<byte>>(0, "scratch")));

        Add("cryptoLastError", (bool _, in V8FastArgs a, in V8FastResult r) => r.Set(state.TakeError()));

        Add("cryptoTakeOutput", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var output = state.Output ?? [];
            state.Output = null;
            var target = a.Get<ITypedArray<byte>>(0, "target");
            using var targetLease = ScriptHandles.Own(target);
            target.Write(output, 0, (ulong)Math.Min((ulong)output.Length, target.Length), 0);
        });

        Add("cryptoDigest", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var hash = a.GetInt32(0, "hash");
            r.Set(state.Run(Arrays(a, 1, 2), v =>
            {
                HashAlgorithms.Digest(hash, v[0], v.Out(1));
                return HashAlgorithms.Size(hash);
            }));
        });

        // A key signing again and again keeps an HMAC context here: OpenSSL's per-call setup costs
        // about as much as hashing a kilobyte.
        Add("cryptoHmacContext", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var hash = a.GetInt32(0, "hash");
            r.Set(state.Run(Arrays(a, 1, 1), v => state.Add(IncrementalHash.CreateHMAC(HashAlgorithms.Name(hash), v[0]))));
        });

        // hash, context handle (0: none), key, data, output
        Add("cryptoHmac", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var hash = a.GetInt32(0, "hash");
            var context = a.GetInt32(1, "context");
            r.Set(state.Run(Arrays(a, 2, 3), v => Hmac(state, hash, context, v[0], v[1], v.Out(2))));
        });

        // hash, context handle (0: none), key, data, signature
        Add("cryptoHmacVerify", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var hash = a.GetInt32(0, "hash");
            var context = a.GetInt32(1, "context");
            r.Set(state.Run(Arrays(a, 2, 3), v =>
            {
                Span<byte> mac = stackalloc byte[64];
                var size = Hmac(state, hash, context, v[0], v[1], mac);
                return v[2].Length == size && FixedTimeEquals(mac[..size], v[2]) ? 1 : 0;
            }));
        });

        Add("cryptoAes", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var mode = a.GetInt32(0, "mode");
            var encrypt = a.IsTruthy(1);
            var param = a.GetInt32(5, "param");
            // key, iv (or counter), additional data, input, output
            r.Set(state.Run([Array(a, 2), Array(a, 3), Array(a, 4), Array(a, 6), Array(a, 7)], v => mode switch
            {
                AesCipher.Gcm => AesCipher.GcmCrypt(encrypt, v[0], v[1], v[2], param, v[3], v.Out(4)),
                AesCipher.Cbc => AesCipher.CbcCrypt(encrypt, v[0], v[1], v[3], v.Out(4)),
                AesCipher.Ctr => AesCipher.CtrCrypt(v[0], v[1], param, v[3], v.Out(4)),
                AesCipher.Kw => encrypt ? AesCipher.Wrap(v[0], v[3], v.Out(4)) : AesCipher.Unwrap(v[0], v[3], v.Out(4)),
                _ => throw CryptoError.NotSupported("Unrecognized AES mode."),
            }));
        });

        Add("cryptoHkdf", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var hash = a.GetInt32(0, "hash");
            r.Set(state.Run(Arrays(a, 1, 4), v =>
            {
                Kdf.Hkdf(hash, v[0], v[1], v[2], v.Out(3));
                return v.Out(3).Length;
            }));
        });

        Add("cryptoPbkdf2", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var promise = a.GetInt32(0, "promise");
            var hash = a.GetInt32(1, "hash");
            var iterations = a.GetInt32(4, "iterations");
            var length = a.GetInt32(5, "length");
            r.Set(state.Run(Arrays(a, 2, 2), v =>
            {
                Kdf.CheckPbkdf2(hash, length);
                // Copies: the script may change its buffers while another thread works.
                var password = v[0].ToArray();
                var salt = v[1].ToArray();
                isolate.CompleteOffThread(promise, () => (Kdf.Pbkdf2(hash, password, salt, iterations, length), null, null));
                return 0;
            }));
        });

        Add("cryptoImportKey", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var kind = a.GetInt32(0, "kind");
            var format = a.GetInt32(1, "format");
            var curve = a.GetInt32(2, "curve");
            r.Set(state.Run(Arrays(a, 3, 1), v => state.Add(AsymmetricKeys.Import(kind, format, curve, v[0]))));
        });

        // Checks an SPKI or PKCS#8 blob's structure: workerd reports a malformed one before bad usages.
        Add("cryptoCheckDer", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var pkcs8 = a.IsTruthy(0);
            r.Set(state.Run(Arrays(a, 1, 1), v =>
            {
                var (_, _, length, _) = Der.ReadAlgorithm(v[0], pkcs8);
                Der.RequireNoTrailing(v[0], length, pkcs8);
                return 0;
            }));
        });

        Add("cryptoRsaInfo", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "key");
            r.Set(state.Run([], _ => state.SetOutput(AsymmetricKeys.RsaInfo(state.Get<RsaHostKey>(handle)))));
        });

        Add("cryptoExportKey", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "key");
            var format = a.GetInt32(1, "format");
            r.Set(state.Run([], _ => state.SetOutput(AsymmetricKeys.Export(state.Get<HostKey>(handle), format))));
        });

        Add("cryptoGenerateKey", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var kind = a.GetInt32(0, "kind");
            var curve = a.GetInt32(1, "curve");
            r.Set(state.Run([], _ => state.AddPair(AsymmetricKeys.Generate(kind, curve))));
        });

        Add("cryptoGenerateRsa", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var promise = a.GetInt32(0, "promise");
            var bits = a.GetInt32(1, "bits");
            r.Set(state.Run(Arrays(a, 2, 1), v =>
            {
                var exponent = v[0].ToArray();
                isolate.CompleteOffThread(promise, () => (state.AddPair(AsymmetricKeys.GenerateRsa(bits, exponent)), null, null));
                return 0;
            }));
        });

        Add("cryptoSign", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "key");
            var alg = a.GetInt32(1, "algorithm");
            var hash = a.GetInt32(2, "hash");
            var salt = a.GetInt32(3, "saltLength");
            r.Set(state.Run(Arrays(a, 4, 2), v => AsymmetricKeys.Sign(state.Get<HostKey>(handle), alg, hash, salt, v[0], v.Out(1))));
        });

        Add("cryptoVerify", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "key");
            var alg = a.GetInt32(1, "algorithm");
            var hash = a.GetInt32(2, "hash");
            var salt = a.GetInt32(3, "saltLength");
            r.Set(state.Run(Arrays(a, 4, 2), v => AsymmetricKeys.Verify(state.Get<HostKey>(handle), alg, hash, salt, v[0], v[1]) ? 1 : 0));
        });

        Add("cryptoRsaOaep", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "key");
            var encrypt = a.IsTruthy(1);
            var hash = a.GetInt32(2, "hash");
            r.Set(state.Run(Arrays(a, 3, 3), v => AsymmetricKeys.Oaep(state.Get<RsaHostKey>(handle), encrypt, hash, v[0], v[1], v.Out(2))));
        });

        Add("cryptoDeriveBits", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "key");
            var peer = a.GetInt32(1, "peer");
            r.Set(state.Run(Arrays(a, 2, 1), v => AsymmetricKeys.DeriveBits(state.Get<HostKey>(handle), state.Get<HostKey>(peer), v.Out(0))));
        });

        Add("cryptoRelease", (bool _, in V8FastArgs a, in V8FastResult r) => state.Release(a.GetInt32(0, "handle")));

        Add("cryptoTimingSafeEqual", (bool _, in V8FastArgs a, in V8FastResult r) =>
            r.Set(state.Run(Arrays(a, 0, 2), v => FixedTimeEquals(v[0], v[1]) ? 1 : 0) == 1));

        Add("cryptoHashCreate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var algorithm = a.GetInt32(0, "algorithm");
            r.Set(state.Run([], _ => state.Add(HashStream.Create(algorithm))));
        });

        Add("cryptoHashUpdate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            r.Set(state.Run(Arrays(a, 1, 1), v =>
            {
                state.Get<HashStream>(handle).Append(v[0]);
                return 0;
            }));
        });

        Add("cryptoHashFinish", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            r.Set(state.Run(Arrays(a, 1, 1), v =>
            {
                var written = state.Get<HashStream>(handle).Finish(v.Out(0));
                state.Release(handle);
                return written;
            }));
        });
    }

    /// <summary>
    /// Equality in time that depends only on the length: every byte is compared, with no early
    /// exit. Unlike <see cref="CryptographicOperations.FixedTimeEquals"/> (unoptimized by design,
    /// about 4 ns a byte), this one is vectorized, which keeps megabyte comparisons cheap.
    /// </summary>
    private static bool FixedTimeEquals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) return false;
        var va = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, System.Numerics.Vector<byte>>(a);
        var vb = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, System.Numerics.Vector<byte>>(b);
        var difference = System.Numerics.Vector<byte>.Zero;
        for (var i = 0; i < va.Length; i++) difference |= va[i] ^ vb[i];
        var tail = 0;
        for (var i = va.Length * System.Numerics.Vector<byte>.Count; i < a.Length; i++) tail |= a[i] ^ b[i];
        return ((difference == System.Numerics.Vector<byte>.Zero ? 0 : 1) | tail) == 0;
    }

    private static int Hmac(State state, int hash, int context, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (context == 0)
        {
            HashAlgorithms.Hmac(hash, key, data, output);
            return HashAlgorithms.Size(hash);
        }
        var hmac = state.Get<IncrementalHash>(context);
        hmac.AppendData(data);
        return hmac.GetHashAndReset(output);
    }

    /// <summary>A byte argument: absent, a region of the scratch buffer, or a Uint8Array read in place.</summary>
    internal readonly record struct Bytes(ITypedArray<byte>? Array, int Offset, int Length, bool Present);

    private static Bytes Array(in V8FastArgs a, int index)
    {
        if (a.IsUndefined(index) || a.IsNull(index)) return default;
        if (a.TryGet(index, out int region)) return new Bytes(null, region >>> 16, region & 0xFFFF, true);
        return new Bytes(a.Get<ITypedArray<byte>>(index, "bytes"), 0, 0, true);
    }

    private static Bytes[] Arrays(in V8FastArgs a, int first, int count)
    {
        var arrays = new Bytes[count];
        for (var i = 0; i < count; i++) arrays[i] = Array(a, first + i);
        return arrays;
    }

    /// <summary>Byte views of the op's typed arrays, valid only during the op (an absent one is empty).</summary>
    internal readonly unsafe ref struct Views(nint[] pointers, int[] lengths)
    {
        public ReadOnlySpan<byte> this[int i] => new((void*)pointers[i], lengths[i]);
        public Span<byte> Out(int i) => new((void*)pointers[i], lengths[i]);
    }

    internal delegate int ViewsFunc(Views views);

    /// <summary>The per-isolate side: the handle table, the last error, and output waiting to be taken.</summary>
    private sealed class State
    {
        private readonly ConcurrentDictionary<int, IDisposable> _objects = new();
        private int _nextId;
        private string _lastError = "";
        public byte[]? Output;

        public int Add(IDisposable value)
        {
            var id = Interlocked.Increment(ref _nextId);
            _objects[id] = value;
            return id;
        }

        /// <summary>Stores a key pair under two consecutive handles and returns the private one.</summary>
        public int AddPair((HostKey Private, HostKey Public) pair)
        {
            var id = Interlocked.Add(ref _nextId, 2) - 1;
            _objects[id] = pair.Private;
            _objects[id + 1] = pair.Public;
            return id;
        }

        public T Get<T>(int id) where T : class =>
            _objects.TryGetValue(id, out var value) && value is T typed ? typed : throw CryptoError.InvalidAccess("The key is not usable for this operation.");

        public void Release(int id)
        {
            if (_objects.TryRemove(id, out var value)) value.Dispose();
        }

        public int SetOutput(byte[] output)
        {
            Output = output;
            return output.Length;
        }

        public string TakeError()
        {
            var error = _lastError;
            _lastError = "";
            return error;
        }

        // The scratch buffer: a plain ArrayBuffer the built-ins allocate once and never expose,
        // transfer or detach. V8 keeps such a buffer's off-heap backing store at one address for its
        // whole life, and the handle held here keeps it alive as long as the isolate; so its address
        // is taken once, and ops (which run on the isolate's thread, while script waits) use it
        // without a ClearScript access call each time.
        private ITypedArray<byte>? _scratchArray;
        private nint _scratch;
        private int _scratchLength;

        public void SetScratch(ITypedArray<byte> array)
        {
            _scratchArray = array;
            _scratchLength = checked((int)array.Length);
            _scratch = array.InvokeWithDirectAccess(p => p);
        }

        /// <summary>Runs an op body over views of its byte arguments; a failure becomes -1 and the last error.</summary>
        public int Run(Bytes[] args, ViewsFunc body)
        {
            var pointers = new nint[args.Length];
            var lengths = new int[args.Length];
            try
            {
                for (var i = 0; i < args.Length; i++)
                {
                    if (!args[i].Present || args[i].Array is not null) continue;
                    if (_scratch == 0 || args[i].Offset + args[i].Length > _scratchLength) throw CryptoError.Operation("Invalid scratch region.");
                    pointers[i] = _scratch + args[i].Offset;
                    lengths[i] = args[i].Length;
                }
                return Step(0);
            }
            catch (CryptoError e)
            {
                _lastError = e.Name + "\n" + e.Message;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // CryptographicException mostly; anything else would be a bug here, and still must
                // not cross into script as a host exception.
                _lastError = "OperationError\n" + e.Message;
            }
            finally
            {
                foreach (var arg in args) ScriptHandles.Release(arg.Array);
            }
            return -1;

            // A Uint8Array's pointer is valid only inside its own access callback, so those nest.
            int Step(int i)
            {
                while (i < args.Length && args[i].Array is null) i++;
                if (i == args.Length) return body(new Views(pointers, lengths));
                var array = args[i].Array!;
                lengths[i] = checked((int)array.Length);
                return array.InvokeWithDirectAccess(p =>
                {
                    pointers[i] = p;
                    return Step(i + 1);
                });
            }
        }
    }
}
