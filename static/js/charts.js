// Charts of the portal, drawn with Apache ECharts (vendored in static/vendor/echarts). Loaded as a file: the CSP
// allows no inline script. Each chart's figures come from a JSON block of the page; the tables beside the charts
// carry the same figures for screen readers, print and browsers without script.
//
// portalCharts.data(id)          the parsed JSON block <script type="application/json" id="...">
// portalCharts.draw(id, option)  an ECharts chart in the element `id`, with the portal's common options
// Elements with data-chart="bars" are drawn here from the block "<id>-json" ({name, months, long, values}).
(() => {
  if (!window.echarts) return;
  const charts = [];
  const base = { aria: { enabled: true }, textStyle: { fontFamily: "system-ui, sans-serif" }, animation: false };

  function data(id) {
    const source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function draw(id, option) {
    const el = document.getElementById(id);
    if (!el) return null;
    el.classList.add("chart-drawn");
    const chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(Object.assign({}, base, option));
    charts.push(chart);
    const table = document.querySelector(`details[data-fold-when-drawn="${id}"]`);
    if (table) table.open = false;
    return chart;
  }

  window.portalCharts = { data, draw };
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

  document.querySelectorAll('[data-chart="bars"]').forEach((el) => {
    const figures = data(`${el.id}-json`);
    if (!figures) return;
    draw(el.id, {
      aria: { enabled: true, label: { description: el.getAttribute("aria-label") } },
      tooltip: { trigger: "axis", formatter: (items) => `${figures.long[items[0].dataIndex]}：${items[0].value}` },
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: figures.months, axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: figures.name, type: "bar", data: figures.values, itemStyle: { color: "#146c43" },
                 label: { show: true, position: "top" } }],
    });
  });
})();
