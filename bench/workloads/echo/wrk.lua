-- 100 MiB request bodies for the echo workload.
wrk.method = "POST"
wrk.body = string.rep("x", 100 * 1024 * 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
