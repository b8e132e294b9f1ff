import { render } from "preact"; render(<p>welcome</p>, document.getElementById("app")!);
