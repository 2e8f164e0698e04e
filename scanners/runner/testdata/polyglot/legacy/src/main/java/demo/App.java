package demo;

public class App {
    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().exec("sh -c " + args[0]);
    }
}
