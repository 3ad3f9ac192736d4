import assert from "node:assert/strict";
import { parseVmRssMb, residentMb } from "./machine.ts";

Deno.test("parseVmRssMb reads the VmRSS line in MiB", () => {
  const status = "Name:\tdeno\nVmPeak:\t 9000 kB\nVmRSS:\t   51200 kB\nRssAnon:\t 40000 kB\n";
  assert.equal(parseVmRssMb(status), 50);
  assert.throws(() => parseVmRssMb("Name:\tdeno\n"), /VmRSS/);
});

Deno.test({
  name: "residentMb reads this process's resident memory",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const mb = await residentMb(Deno.pid);
    assert.ok(mb > 1 && mb < 1 << 20, `rss ${mb} MiB`);
  },
});
