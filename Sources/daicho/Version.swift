/// The release `daicho --version` prints (README "Commands"): 0.<issue> while the project is pre-1.0.
let daichoVersion = "0.8.0"
