{
  "targets": [
    {
      "target_name": "hybrid_index",
      "sources": ["native/addon.cc", "native/errors.cc", "native/mapping.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "<!@(pkg-config --cflags libpmem)"],
      "libraries": ["<!@(pkg-config --libs libpmem)"]
    }
  ]
}
