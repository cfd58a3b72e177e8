using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Flint.JavaScript.Web.Crypto;

/// <summary>The running digest behind a <c>crypto.DigestStream</c>.</summary>
internal abstract class HashStream : IDisposable
{
    public const int Crc32 = 6, Crc32C = 7, Crc64Nvme = 8;

    public abstract void Append(ReadOnlySpan<byte> data);
    /// <summary>Writes the digest (CRCs big-endian, as workerd does) and returns its length.</summary>
    public abstract int Finish(Span<byte> output);
    public virtual void Dispose() { }

    public static HashStream Create(int algorithm) => algorithm switch
    {
        Crc32 => new Crc32Stream(Crc32Stream.Ieee),
        Crc32C => new Crc32Stream(Crc32Stream.Castagnoli),
        Crc64Nvme => new Crc64Stream(),
        _ => new Digest(IncrementalHash.CreateHash(HashAlgorithms.Name(algorithm))),
    };

    private sealed class Digest(IncrementalHash hash) : HashStream
    {
        public override void Append(ReadOnlySpan<byte> data) => hash.AppendData(data);
        public override int Finish(Span<byte> output) => hash.GetHashAndReset(output);
        public override void Dispose() => hash.Dispose();
    }

    /// <summary>Reflected table-driven CRC-32 (zlib's for the IEEE polynomial, iSCSI's for Castagnoli).</summary>
    private sealed class Crc32Stream(uint[] table) : HashStream
    {
        public static readonly uint[] Ieee = Table(0xEDB88320u), Castagnoli = Table(0x82F63B78u);
        private uint _crc = 0xFFFFFFFFu;

        private static uint[] Table(uint poly)
        {
            var t = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                var c = i;
                for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? poly ^ (c >> 1) : c >> 1;
                t[i] = c;
            }
            return t;
        }

        public override void Append(ReadOnlySpan<byte> data)
        {
            var crc = _crc;
            foreach (var b in data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            _crc = crc;
        }

        public override int Finish(Span<byte> output)
        {
            BinaryPrimitives.WriteUInt32BigEndian(output, ~_crc);
            return 4;
        }
    }

    /// <summary>CRC-64/NVME: reflected polynomial 0xAD93D23594C93659, initial and final XOR all ones.</summary>
    private sealed class Crc64Stream : HashStream
    {
        private static readonly ulong[] s_table = Table();
        private ulong _crc = ulong.MaxValue;

        private static ulong[] Table()
        {
            const ulong Reflected = 0x9A6C9329AC4BC9B5UL;
            var t = new ulong[256];
            for (ulong i = 0; i < 256; i++)
            {
                var c = i;
                for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? Reflected ^ (c >> 1) : c >> 1;
                t[i] = c;
            }
            return t;
        }

        public override void Append(ReadOnlySpan<byte> data)
        {
            var crc = _crc;
            foreach (var b in data) crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            _crc = crc;
        }

        public override int Finish(Span<byte> output)
        {
            BinaryPrimitives.WriteUInt64BigEndian(output, ~_crc);
            return 8;
        }
    }
}
