using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>node: modules as wrangler dev (workerd) answers the same probes (bench/oracle/node-builtins, node-crypto, node-crypto-keys, node-stubs, node-stubs-2025-12, node-stubs-2026-01, node-stubs-2026).</summary>
[Collection(AloneCollection.Name)] // its probes run turns of seconds of CPU (Diffie-Hellman primes), long enough for the other tests to grow the process past a heap limit
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

    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheNodeCryptoKeysOracle()
    {
        // Finite-field Diffie-Hellman (createDiffieHellman with fixed private keys, so public keys and secrets are
        // recorded values; the modp groups; verifyError; workerd's errors), dh key pairs with diffieHellman(),
        // encrypted PKCS#8 / PKCS#1 / SEC1 keys in and out with wrong passphrases, and X509Certificate's
        // verify / checkIssued / checkHost / checkEmail / checkIP.
        await OracleGolden.AssertSameAsWranglerDevAsync("node-crypto-keys");
    }

    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheNodeStubsOracle()
    {
        // The modules workerd has as its own stubs on the fixtures' date (vm, http2, console): their surface,
        // ERR_METHOD_NOT_IMPLEMENTED where unenv's polyfill says "[unenv] … is not implemented yet!", Node's
        // argument errors, http2's constants.
        await OracleGolden.AssertSameAsWranglerDevAsync("node-stubs");
    }

    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheNodeStubs2026Oracle()
    {
        // worker_threads and child_process on 2026-03-17, when workerd serves its own stubs of them.
        await OracleGolden.AssertSameAsWranglerDevAsync("node-stubs-2026");
    }

    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheNodeStubs2025DecemberOracle()
    {
        // domain, wasi and trace_events on 2025-12-04, when workerd serves its own stubs of them.
        await OracleGolden.AssertSameAsWranglerDevAsync("node-stubs-2025-12");
    }

    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheNodeStubs2026JanuaryOracle()
    {
        // dgram on 2026-01-29, when workerd serves its own stub of it.
        await OracleGolden.AssertSameAsWranglerDevAsync("node-stubs-2026-01");
    }
}
