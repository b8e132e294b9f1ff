import { render } from "preact"; render(<p>todo</p>, document.getElementById("app")!);
