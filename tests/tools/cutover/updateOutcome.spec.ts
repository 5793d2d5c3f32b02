import { strict as assert } from "assert";
import { changesSomething } from "../../../tools/cutover/updateOutcome";

describe("cut-over: which engine step ops change something", () => {
  it("the ops the engine's HasChanges skips (pkg/engine/update.go) change nothing; every other op does", () => {
    // The op strings the engine reports (pkg/resource/deploy/step.go).
    for (const op of ["same", "read", "discard", "read-replacement"])
      assert.equal(changesSomething(op), false, op);
    for (const op of [
      "create",
      "update",
      "delete",
      "replace",
      "create-replacement",
      "delete-replaced",
      "discard-replaced",
      "refresh",
      "remove-pending-replace",
      "import",
      "import-replacement",
    ])
      assert.equal(changesSomething(op), true, op);
  });
});
