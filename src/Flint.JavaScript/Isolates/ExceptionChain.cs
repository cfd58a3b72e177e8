namespace Flint.JavaScript.Isolates;

internal static class ExceptionChain
{
    /// <summary>The first exception of type <typeparamref name="T"/> in <paramref name="ex"/> and its inner exceptions, or null.</summary>
    public static T? Find<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found) return found;
        }
        return null;
    }
}
