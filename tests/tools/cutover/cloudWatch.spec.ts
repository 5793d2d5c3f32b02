import { strict as assert } from "assert";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  DescribeAlarmsCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { cloudWatchAlarms } from "../../../tools/cutover/cloudWatch";

/** The CloudWatch adapter against aws-sdk-client-mock: batching, pagination, composites, missing names. */
describe("cut-over: CloudWatch alarm reader", () => {
  const cloudWatch = mockClient(CloudWatchClient);
  afterEach(() => cloudWatch.reset());

  const since = new Date("2026-03-02T10:03:55Z");

  it("reads 150 names in batches of 100, follows NextToken, includes composite alarms, names the missing", async () => {
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${String(i).padStart(3, "0")}`);
    cloudWatch.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => {
      const batch = input.AlarmNames ?? [];
      if (batch[0] === "alarm-000" && input.NextToken === undefined)
        // First page of the first batch: alarms 000–049, the rest on the next page.
        return {
          MetricAlarms: batch
            .slice(0, 50)
            .map((name) => ({ AlarmName: name, StateValue: "OK", StateReason: "fine" })),
          NextToken: "page-2",
        };
      if (batch[0] === "alarm-000")
        return {
          MetricAlarms: batch
            .slice(50, 99)
            .map((name) => ({ AlarmName: name, StateValue: "OK", StateReason: "fine" })),
          CompositeAlarms: [
            {
              AlarmName: "alarm-099",
              StateValue: "ALARM",
              StateReason: "5xx and p95",
              StateUpdatedTimestamp: since,
            },
          ],
        };
      // Second batch: alarm-100 … alarm-149, of which alarm-149 does not exist.
      return {
        MetricAlarms: batch
          .slice(0, 49)
          .map((name) => ({ AlarmName: name, StateValue: "INSUFFICIENT_DATA" })),
      };
    });

    const reading = await cloudWatchAlarms(new CloudWatchClient({ region: "ap-northeast-2" })).read(names);

    const calls = cloudWatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input);
    assert.equal(calls.length, 3);
    assert.deepEqual(
      calls.map((input) => [input.AlarmNames?.length, input.NextToken]),
      [
        [100, undefined],
        [100, "page-2"],
        [50, undefined],
      ],
    );
    for (const input of calls) assert.deepEqual(input.AlarmTypes, ["MetricAlarm", "CompositeAlarm"]);

    assert.deepEqual(reading.missing, ["alarm-149"]);
    assert.equal(reading.alarms.length, 149);
    assert.deepEqual(
      reading.alarms.filter((alarm) => alarm.state === "ALARM"),
      [{ name: "alarm-099", state: "ALARM", reason: "5xx and p95", since }],
    );
    assert.equal(reading.alarms.filter((alarm) => alarm.state === "INSUFFICIENT_DATA").length, 49);
    // Results come back in the order asked for, whatever order CloudWatch answers in.
    assert.deepEqual(
      reading.alarms.map((alarm) => alarm.name),
      names.slice(0, 149),
    );
  });

  it("passes a CloudWatch error on (the state machine counts it as an unreadable poll)", async () => {
    cloudWatch.on(DescribeAlarmsCommand).rejects(new Error("ThrottlingException: Rate exceeded"));
    await assert.rejects(
      cloudWatchAlarms(new CloudWatchClient({ region: "ap-northeast-2" })).read(["ams-prod-api-5xx"]),
      /ThrottlingException/,
    );
  });

  it("asks nothing for an empty list", async () => {
    const reading = await cloudWatchAlarms(new CloudWatchClient({ region: "ap-northeast-2" })).read([]);
    assert.deepEqual(reading, { alarms: [], missing: [] });
    assert.equal(cloudWatch.commandCalls(DescribeAlarmsCommand).length, 0);
  });
});
