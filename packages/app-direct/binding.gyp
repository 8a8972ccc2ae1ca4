{
  "targets": [
    {
      "target_name": "app_direct",
      "sources": [
        "native/addon.cc",
        "native/errors.cc",
        "native/pool_file.cc",
        "native/cache_index.cc",
        "native/cache_handle.cc",
        "native/transaction.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2", "<!@(pkg-config --cflags libpmemobj libpmem)"],
      "libraries": ["<!@(pkg-config --libs libpmemobj libpmem)"]
    }
  ]
}
