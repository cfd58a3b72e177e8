using System.Net;
using Flint.JavaScript.Web.Network;

namespace Flint.JavaScript.Tests.Web.Network;

public class OutboundPolicyTests
{
    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("1.1.1.1", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.255.0.9", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("ff02::1", false)]
    // IPv4 in IPv6 clothing is judged as the IPv4 address.
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::a9fe:a9fe", false)]
    public void PublicAddressesAreTheOnlyOnesAllowedByDefault(string address, bool allowed)
    {
        Assert.Equal(allowed, OutboundPolicy.PublicOnly().IsAllowed(IPAddress.Parse(address)));
        Assert.True(OutboundPolicy.AllowAll.IsAllowed(IPAddress.Parse(address)));
    }

    [Fact]
    public void TheAllowListTakesAddressesNetworksAndHostNames()
    {
        var policy = OutboundPolicy.PublicOnly(["10.0.0.0/8", "192.168.1.5", "[::1]", "db.internal"]);
        Assert.True(policy.IsAllowed(IPAddress.Parse("10.9.8.7")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:10.9.8.7")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("192.168.1.5")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("192.168.1.6")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("172.20.0.4"), "db.internal"));
        Assert.False(policy.IsAllowed(IPAddress.Parse("172.20.0.4"), "other.internal"));
        var error = Assert.Throws<FormatException>(() => OutboundPolicy.PublicOnly(["10.0.0.0/99"]));
        Assert.Contains("10.0.0.0/99", error.Message);
    }

    [Fact]
    public async Task ConnectingToADeniedNameFailsBeforeAnyConnection()
    {
        var error = await Assert.ThrowsAsync<OutboundDeniedException>(async () =>
            await OutboundPolicy.PublicOnly().ConnectAsync("localhost", 9, CancellationToken.None));
        Assert.Equal("connecting to localhost:9 is not allowed", error.Message);
    }
}
