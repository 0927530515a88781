const s = "\u0070\u0061\u0073\u0073\u003d\u0068\u0075\u006e"; const t = "\x41\x4b\x49\x41";
