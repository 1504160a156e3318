// Network pictures of the regional view: pointing at a node brings its links and
// neighbours forward and dims the rest. The tables below the pictures give
// the same information without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("svg.network").forEach((svg) => {
    const edges = Array.from(svg.querySelectorAll(".edge"));
    const nodes = new Map(Array.from(svg.querySelectorAll(".node")).map((node) => [node.dataset.node, node]));
    const light = (id) => {
      svg.classList.add("focusing");
      nodes.get(id)?.classList.add("lit");
      edges.forEach((edge) => {
        if (edge.dataset.a === id || edge.dataset.b === id) {
          edge.classList.add("lit");
          nodes.get(edge.dataset.a === id ? edge.dataset.b : edge.dataset.a)?.classList.add("lit");
        }
      });
    };
    const clear = () => {
      svg.classList.remove("focusing");
      svg.querySelectorAll(".lit").forEach((element) => element.classList.remove("lit"));
    };
    nodes.forEach((node, id) => {
      node.addEventListener("mouseenter", () => light(id));
      node.addEventListener("mouseleave", clear);
    });
  });
});
