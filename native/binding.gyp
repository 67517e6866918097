{
  "targets": [
    {
      "target_name": "nsb",
      "sources": ["src/addon.cc", "src/ns.c", "src/names.c", "src/error.c", "src/wire.c", "src/client.c", "src/freeze.c", "src/clock.c"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "include"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
