/** The Docker helpers of the tests live with the stack, which builds the demo's app image the same way. */
export * from "../../src/stack/docker-images";
