/// The DaichoJSON module. See docs/architecture.md.
public enum DaichoJSONModule {}
