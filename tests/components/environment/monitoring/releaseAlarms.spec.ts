import { strict as assert } from "assert";
import { albSearch, dashboardBody } from "../../../../components/environment/monitoring/dashboard";
import { findResource, findResources, PlannedResource } from "../../../../plan/plan";
import { planOf, STACKS } from "../../../helpers/plans";

type Query = {
  id: string;
  expression?: string;
  returnData?: boolean;
  metric?: { metricName: string; dimensions: Record<string, string> };
};

describe("switch alarms and dashboard count what users got, from the targets and from the load balancer", () => {
  for (const stack of STACKS) {
    it(`${stack}: the 5xx rate adds the ALB's own 502/503/504 to the targets' 5xx, over requests plus those`, async () => {
      const plan = await planOf(stack);
      const alarm = findResources(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").find(
        (a) => a.inputs.name === `ams-${stack}-api-5xx-rate`,
      ) as PlannedResource;
      const queries = alarm.inputs.metricQueries as Query[];
      const byMetric = Object.fromEntries(
        queries.filter((q) => q.metric).map((q) => [q.metric?.metricName, q.id]),
      );
      assert.deepEqual(Object.keys(byMetric).sort(), [
        "HTTPCode_ELB_5XX_Count",
        "HTTPCode_Target_5XX_Count",
        "RequestCount",
      ]);
      for (const query of queries.filter((q) => q.metric)) {
        assert.equal(query.returnData, false);
        assert.match(query.metric?.dimensions.LoadBalancer ?? "", new RegExp(`^app/ams-${stack}-public/`));
      }
      const [rate] = queries.filter((q) => q.returnData === true);
      const elb = byMetric.HTTPCode_ELB_5XX_Count;
      const [numerator, denominator] = String(rate.expression).split(" / ");
      assert.ok(numerator.includes(byMetric.HTTPCode_Target_5XX_Count) && numerator.includes(elb), numerator);
      // A 503 for want of a target is not in RequestCount: without it below the line, a color with no
      // targets would have no requests, no rate, and no alarm.
      assert.ok(denominator.includes(byMetric.RequestCount) && denominator.includes(elb), denominator);
      assert.equal(
        alarm.inputs.treatMissingData,
        "notBreaching",
        "no requests and no errors: nothing to judge",
      );
    });
  }

  it("the dashboard finds the controller-created ALB by a partial match and shows the same rate", async () => {
    const search = albSearch("prod", "RequestCount", "Sum");
    assert.equal(
      search,
      "SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName=\"RequestCount\" LoadBalancer=app/ams-prod-public', 'Sum', 60)",
    );
    const body = JSON.parse(dashboardBody("prod", "ap-northeast-2", [])) as {
      widgets: { properties: { metrics: { expression?: string }[][] } }[];
    };
    const expressions = body.widgets.flatMap((w) =>
      w.properties.metrics.flat().map((m) => m.expression ?? ""),
    );
    assert.ok(expressions.some((e) => e.includes("HTTPCode_ELB_5XX_Count")));
    assert.ok(
      !expressions.some((e) => /LoadBalancer="/.test(e)),
      "no exact-match term on a name with an unknown id",
    );
    const plan = await planOf("prod");
    assert.match(
      String(
        findResource(plan, "aws:cloudwatch/dashboard:Dashboard", "ams-data-dashboard").inputs.dashboardBody,
      ),
      /HTTPCode_ELB_5XX_Count/,
    );
  });
});
