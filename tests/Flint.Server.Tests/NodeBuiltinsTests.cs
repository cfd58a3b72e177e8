using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>node: modules as wrangler dev (workerd) answers the same probes (bench/oracle/node-builtins, node-crypto).</summary>
public class NodeBuiltinsTests
{
    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheNodeBuiltinsOracle()
    {
        await OracleGolden.AssertSameAsWranglerDevAsync("node-builtins");
    }

    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheNodeCryptoOracle()
    {
        // Ciphers (AES CBC/CTR/ECB/OFB/GCM, DES, ChaCha20-Poly1305) with recorded outputs, key generation,
        // RSA encryption, X25519 agreement, X509Certificate, and workerd's errors.
        await OracleGolden.AssertSameAsWranglerDevAsync("node-crypto");
    }
}
