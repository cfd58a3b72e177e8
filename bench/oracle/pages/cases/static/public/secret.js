worker-file-in-static-is-not-served
