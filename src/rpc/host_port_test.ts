import assert from "node:assert/strict";
import { hostPort } from "./host_port.ts";

Deno.test("hostPort puts an IPv6 literal in brackets", () => {
  assert.equal(hostPort("127.0.0.1", 7001), "127.0.0.1:7001");
  assert.equal(hostPort("localhost", 0), "localhost:0");
  assert.equal(hostPort("::1", 7001), "[::1]:7001");
  assert.equal(hostPort("::", 80), "[::]:80");
});
