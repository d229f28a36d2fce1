/** The variables an app sees, beyond the ones the Docker tests read inside containers: secrets and the extracted dataset. */
import { expect } from "chai";
import { taskEnvironment } from "../../src/worker/environment";

const BASE = {
  taskid: "0x" + "11".repeat(32),
  dealid: "0x" + "22".repeat(32),
  idx: 3n,
  botFirst: 2n,
  botSize: 4n,
  inputFileNames: ["a.txt", "b.txt"],
};

describe("worker environment", function () {
  it("gives requester secrets by index and the app developer's secret, only when released", function () {
    const env = taskEnvironment({ ...BASE, secrets: { requester: { "1": "one", "2": "two" }, app: "dev" } });
    expect(env).to.include({
      IEXEC_REQUESTER_SECRET_1: "one",
      IEXEC_REQUESTER_SECRET_2: "two",
      IEXEC_APP_DEVELOPER_SECRET: "dev",
      IEXEC_INPUT_FILE_NAME_1: "a.txt",
      IEXEC_INPUT_FILE_NAME_2: "b.txt",
      IEXEC_NB_INPUT_FILES: "2",
      IEXEC_INPUT_FILES_NUMBER: "2",
    });
    const none = taskEnvironment(BASE);
    expect(Object.keys(none).filter((name) => /SECRET|DATASET_FOLDER/.test(name))).to.deep.equal([]);
  });

  it("names the extracted dataset's folder when there is one", function () {
    const env = taskEnvironment({
      ...BASE,
      dataset: { address: "0x" + "33".repeat(20), filename: "0x" + "33".repeat(20) },
      datasetFolder: "/iexec_in/dataset",
    });
    expect(env.IEXEC_DATASET_FOLDER).to.equal("/iexec_in/dataset");
    expect(env.IEXEC_DATASET_FILENAME).to.equal("0x" + "33".repeat(20));
  });
});
