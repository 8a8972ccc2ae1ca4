{
  "targets": [
    {
      "target_name": "hybrid_index",
      "sources": ["native/addon.cc", "native/errors.cc", "native/mapping.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "<!@(pkg-config --cflags libpmem)"],
      "libraries": ["<!@(pkg-config --libs libpmem)"]
    }
  ]
}
