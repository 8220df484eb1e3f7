// The monthly chart of the street statistics page (services/stats/stats.html),
// drawn from the JSON that the page embeds as #stats-chart-data.
(function () {
  "use strict";
  var box = document.getElementById("stats-chart");
  var source = document.getElementById("stats-chart-data");
  if (!box || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(box);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {data: ["受理", "办结"]},
    grid: {left: 40, right: 10, bottom: 60},
    xAxis: {type: "category", data: data.labels, axisLabel: {rotate: 30}},
    yAxis: {type: "value", minInterval: 1},
    series: [
      {name: "受理", type: "bar", data: data.accepted},
      {name: "办结", type: "bar", data: data.completed}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
