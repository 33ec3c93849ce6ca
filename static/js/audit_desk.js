// The auditor's desk charts, drawn through the portal's chart helper (static/js/charts.js, on the vendored ECharts).
// Loaded as a file: the CSP allows no inline script. The figures come from the page's JSON block; the tables beside
// the charts carry the same figures for screen readers and print.
(() => {
  if (!window.portalCharts) return;
  const data = window.portalCharts.data("desk-data");
  if (!data) return;
  const draw = window.portalCharts.draw;

  const heat = data.heat;
  draw("chart-heat", {
    tooltip: { position: "top" },
    grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
    xAxis: { type: "category", data: heat.townships, splitArea: { show: true }, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "category", data: heat.detectors, splitArea: { show: true }, inverse: true },
    visualMap: { min: 0, max: Math.max(1, heat.peak), calculable: false, orient: "horizontal", left: "center",
                 bottom: 0, itemHeight: 80, inRange: { color: ["#f8f9fa", "#fbc9a4", "#ee6c4d", "#c0392b"] } },
    series: [{ type: "heatmap", data: heat.cells, label: { show: true } }],
  });

  const money = data.money;
  draw("chart-money", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: money.names },
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: money.months, axisLabel: { interval: 0, rotate: 45 } },
    yAxis: [{ type: "value", name: "¥" }, { type: "value", name: "%", max: 100, splitLine: { show: false } }],
    series: [
      { name: money.names[0], type: "bar", data: money.at_stake, itemStyle: { color: "#ee6c4d" } },
      { name: money.names[1], type: "bar", data: money.confirmed, itemStyle: { color: "#f2b134" } },
      { name: money.names[2], type: "bar", data: money.recovered, itemStyle: { color: "#2e8b57" } },
      { name: money.names[3], type: "line", yAxisIndex: 1, data: money.rate, connectNulls: false,
        itemStyle: { color: "#1f4e79" } },
    ],
  });

  const late = data.overdue;
  draw("chart-overdue", {
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: late.townships, inverse: true },
    series: [{ name: late.name, type: "bar", data: late.counts, label: { show: true, position: "right" },
               itemStyle: { color: "#c0392b" } }],
  });
})();
