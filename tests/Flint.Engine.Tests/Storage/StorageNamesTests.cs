using Flint.Engine.D1;
using Flint.Engine.Kv;
using Flint.Engine.Storage;

namespace Flint.Engine.Tests.Storage;

/// <summary>Ids from config files become file and folder names: any id must make a usable one.</summary>
public sealed class StorageNamesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-names-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData("plain-id_1")]
    [InlineData("with spaces/and:colons")]
    [InlineData("é")]
    public void ShortIdsKeepReversibleNames(string id)
    {
        Assert.Equal(id, StorageNames.IdFrom(StorageNames.ForId(id)));
    }

    [Fact]
    public async Task AVeryLongKvIdAndALongNonAsciiD1IdAreStoredNotAPathTooLongException()
    {
        var kvId = new string('k', 300);
        var d1Id = new string('é', 150);
        Assert.True(StorageNames.ForId(kvId).Length <= 100 && StorageNames.ForId(d1Id).Length <= 100);
        Assert.NotEqual(StorageNames.ForId(kvId), StorageNames.ForId(kvId + "x"));
        using (var data = new LocalData(_dir))
        {
            await data.Kv.Namespace(kvId).PutAsync("key", "value"u8.ToArray(), new KvPutOptions());
            await data.D1.Database(d1Id).QueryAsync([new D1Query("CREATE TABLE t (x)", [])]);
        }
        using (var again = new LocalData(_dir))
        {
            using var v = again.Kv.Namespace(kvId).Get("key")!;
            Assert.Equal("value"u8.ToArray(), v.Bytes);
            Assert.Empty((await again.D1.Database(d1Id).QueryAsync([new D1Query("SELECT * FROM t", [])]))[0].Rows);
        }
    }
}
