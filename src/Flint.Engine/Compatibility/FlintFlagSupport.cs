namespace Flint.Engine.Compatibility;

/// <summary>How Flint treats one of workerd's behaviours.</summary>
public enum FlagSupport
{
    /// <summary>Flint lacks the behaviour: it acts as if the flag were off, whatever the date. The default.</summary>
    AlwaysOff,
    /// <summary>Flint follows the Worker's compatibility date and flags for it.</summary>
    Follows,
    /// <summary>Flint always acts as if it were on (its Web APIs were written to today's behaviour).</summary>
    AlwaysOn,
    /// <summary>Only Cloudflare's network acts on it (the proxy in front of Workers); nothing to do locally.</summary>
    NoLocalEffect,
}

/// <summary>
/// What Flint does with each behaviour of <see cref="WorkerdFlags"/>. A behaviour not listed is
/// <see cref="FlagSupport.AlwaysOff"/>. When one Flint follows is added, list it as
/// <see cref="FlagSupport.Follows"/> and ask for it in JavaScript with <c>compatEnabled("name")</c>.
/// </summary>
public static class FlintFlagSupport
{
    private static readonly Dictionary<string, FlagSupport> s_support = new(StringComparer.Ordinal)
    {
        // Followed by date and flag.
        ["upper_case_all_http_methods"] = FlagSupport.Follows,
        ["nodejs_compat"] = FlagSupport.Follows,
        ["nodejs_compat_v2"] = FlagSupport.Follows,
        ["nodejs_als"] = FlagSupport.Follows,
        ["nodejs_compat_populate_process_env"] = FlagSupport.Follows,
        ["nodejs_zlib"] = FlagSupport.Follows,
        ["enable_nodejs_fs_module"] = FlagSupport.Follows,
        ["enable_nodejs_os_module"] = FlagSupport.Follows,
        ["enable_nodejs_http_modules"] = FlagSupport.Follows,
        ["enable_nodejs_http_server_modules"] = FlagSupport.Follows,
        // Service bindings and RPC (88_service.js, 87_rpc.js).
        ["rpc"] = FlagSupport.Follows,
        ["fetcher_no_get_put_delete"] = FlagSupport.Follows,
        ["rpc_params_dup_stubs"] = FlagSupport.Follows,
        // The Request `cache` option (51_request_response.js, 60_fetch.js).
        ["cache_option_enabled"] = FlagSupport.Follows,
        ["cache_no_cache_enabled"] = FlagSupport.Follows,
        ["cache_reload_enabled"] = FlagSupport.Follows,
        // Durable Objects (88_durable_objects.js).
        ["delete_all_deletes_alarm"] = FlagSupport.Follows,
        ["durable_object_fetch_requires_full_url"] = FlagSupport.AlwaysOn,
        // Queues (82_queues.js).
        ["queues_json_messages"] = FlagSupport.Follows,
        ["queue_consumer_no_wait_for_wait_until"] = FlagSupport.Follows,
        ["queue_expose_error_codes"] = FlagSupport.Follows,
        // WebSockets (65_websocket.js).
        ["web_socket_auto_reply_to_close"] = FlagSupport.Follows,

        // Flint's Web APIs were written to the standard behaviour that these turn on.
        ["formdata_parser_supports_files"] = FlagSupport.AlwaysOn,
        ["streams_enable_constructors"] = FlagSupport.AlwaysOn,
        ["transformstream_enable_standard_constructor"] = FlagSupport.AlwaysOn,
        ["workers_api_getters_setters_on_prototype"] = FlagSupport.AlwaysOn,
        ["url_standard"] = FlagSupport.AlwaysOn,
        ["urlpattern_standard"] = FlagSupport.AlwaysOn,
        ["global_navigator"] = FlagSupport.AlwaysOn,
        ["http_headers_getsetcookie"] = FlagSupport.AlwaysOn,
        ["urlsearchparams_delete_has_value_arg"] = FlagSupport.AlwaysOn,
        ["export_commonjs_default"] = FlagSupport.AlwaysOn,
        ["no_global_importscripts"] = FlagSupport.AlwaysOn,
        ["set_tostring_tag"] = FlagSupport.AlwaysOn,
        ["expose_global_message_channel"] = FlagSupport.AlwaysOn,
        ["enable_weak_ref"] = FlagSupport.AlwaysOn,
        ["brotli_content_encoding"] = FlagSupport.AlwaysOn,
        ["websocket_close_reason_byte_limit"] = FlagSupport.AlwaysOn,

        // Read by Cloudflare's proxy (workerd marks them $neededByFl).
        ["minimal_subrequests"] = FlagSupport.NoLocalEffect,
        ["no_cots_on_external_fetch"] = FlagSupport.NoLocalEffect,
        ["allow_custom_ports"] = FlagSupport.NoLocalEffect,
        ["request_cf_overrides_cache_rules"] = FlagSupport.NoLocalEffect,
        ["cache_api_request_cf_overrides_cache_rules"] = FlagSupport.NoLocalEffect,
        ["auto_grpc_convert"] = FlagSupport.NoLocalEffect,
        ["no_cf_botmanagement_default"] = FlagSupport.NoLocalEffect,
        ["global_fetch_strictly_public"] = FlagSupport.NoLocalEffect,
    };

    /// <summary>How Flint treats the behaviour <paramref name="flag"/>.</summary>
    public static FlagSupport Of(CompatibilityFlag flag) =>
        s_support.TryGetValue(flag.Name, out var s) ? s : FlagSupport.AlwaysOff;

    /// <summary>The behaviours listed with a support other than the default, by name.</summary>
    public static IReadOnlyDictionary<string, FlagSupport> Listed => s_support;
}
