import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { AlarmPort, AlarmReading, AlarmState, AlarmStateValue } from "./ports";

/** DescribeAlarms takes at most 100 names per call. */
export const NAMES_PER_CALL = 100;

/** The only module that talks to CloudWatch. */
export function cloudWatchAlarms(client: CloudWatchClient): AlarmPort {
  return {
    async read(names: readonly string[]): Promise<AlarmReading> {
      const found = new Map<string, AlarmState>();
      for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
        const batch = names.slice(i, i + NAMES_PER_CALL);
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new DescribeAlarmsCommand({
              AlarmNames: batch,
              // Without AlarmTypes CloudWatch returns metric alarms only, and a composite would look missing.
              AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
              MaxRecords: 100,
              NextToken: nextToken,
            }),
          );
          for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
            if (alarm.AlarmName === undefined) continue;
            found.set(alarm.AlarmName, {
              name: alarm.AlarmName,
              state: (alarm.StateValue ?? "INSUFFICIENT_DATA") as AlarmStateValue,
              reason: alarm.StateReason ?? "",
              since: alarm.StateUpdatedTimestamp,
            });
          }
          nextToken = page.NextToken;
        } while (nextToken);
      }
      return {
        alarms: names.flatMap((name) => found.get(name) ?? []),
        missing: names.filter((name) => !found.has(name)),
      };
    },
  };
}

export function cloudWatchAlarmsIn(region: string): AlarmPort {
  return cloudWatchAlarms(new CloudWatchClient({ region }));
}
