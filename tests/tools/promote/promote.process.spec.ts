import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EXIT } from "../../../tools/cli/exitCodes";
import { PROMOTION_TRAILERS } from "../../../tools/promote/trailers";
import { APP_COMMIT, copyOfProject, promote } from "../../helpers/promote";

describe("npm run promote: the commit message, read back by Git", function () {
  this.timeout(120_000);

  it("writes the commit message: subject, what deploying does, and trailers Git parses (DORA reads them)", async () => {
    const dir = copyOfProject();
    const messageFile = path.join(dir, "message");
    const result = await promote(
      dir,
      ...["--stack", "prod", "--version", "1.5.0", "--message-file", messageFile],
      ...["--app-commit", APP_COMMIT, "--app-commit-time", "2024-05-20T19:00:00+09:00"],
    );
    assert.equal(result.status, EXIT.ok, result.stderr);
    const message = fs.readFileSync(messageFile, "utf8");
    assert.equal(message.split("\n")[0], "promote(prod): greenVersion 1.5.0");
    assert.ok(
      message.split("\n").every((line) => line.length <= 72 || line.includes(APP_COMMIT)),
      message,
    );
    const trailers = execFileSync("git", ["interpret-trailers", "--parse"], {
      input: message,
      encoding: "utf8",
    });
    assert.equal(
      trailers,
      [
        `${PROMOTION_TRAILERS.stack}: prod`,
        `${PROMOTION_TRAILERS.version}: 1.5.0`,
        `${PROMOTION_TRAILERS.appCommit}: ${APP_COMMIT}`,
        `${PROMOTION_TRAILERS.appCommitTime}: 2024-05-20T10:00:00Z`,
        "",
      ].join("\n"),
    );
  });
});
