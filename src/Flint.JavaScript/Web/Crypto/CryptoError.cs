namespace Flint.JavaScript.Web.Crypto;

/// <summary>
/// A Web Crypto failure the script sees as an error of the given name: a DOMException name
/// ("OperationError", "DataError", …) or "TypeError". Never crosses into V8 as an exception;
/// the ops record it and the JavaScript throws it.
/// </summary>
internal sealed class CryptoError(string name, string message) : Exception(message)
{
    public string Name { get; } = name;

    public static CryptoError Operation(string message) => new("OperationError", message);
    public static CryptoError BadData(string message) => new("DataError", message);
    public static CryptoError NotSupported(string message) => new("NotSupportedError", message);
    public static CryptoError InvalidAccess(string message) => new("InvalidAccessError", message);
}
